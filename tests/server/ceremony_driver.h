// Test helper: drives the tellers' key ceremony as client/teller_ceremony.cc
// does (commit, reveal, shares, receive and check the others' shares, test
// decryption), posting each message through `post` until the board holds the
// server's CeremonyDone. Used by the in-process MeetingService tests and the
// verifier's tests.
//
// Thread-safety: none; the test thread only.
#ifndef PHIEU_TESTS_SERVER_CEREMONY_DRIVER_H_
#define PHIEU_TESTS_SERVER_CEREMONY_DRIVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/crypto/group.h"
#include "core/record/board_view.h"
#include "phieu/v1/record.pb.h"

namespace phieu::testing {

// `view` is the caller's mirror of the board, brought up to date by `post`
// (which signs the body as the teller and posts it). The chair's
// CeremonyStart must already be on the board. Fails the test (gtest
// assertions) when a step fails. With `final_shares`, each teller's secret
// share s_i (by teller index) is kept for the test.
void DriveCeremony(const record::BoardView& view,
                   const std::function<void(const std::string& teller_id, const v1::EntryBody& body)>& post,
                   std::map<uint32_t, crypto::Scalar>* final_shares = nullptr);

}  // namespace phieu::testing

#endif  // PHIEU_TESTS_SERVER_CEREMONY_DRIVER_H_
