// The prepared meeting the service fuzz target runs against, shared with
// make_corpus.cc (which writes seeds for it). The fixture directory
// (tests/fuzz/fixture/, written by make_corpus from a `make demo` run) holds:
//   record.pb       the demo's election record up to and including the first
//                   "open" entry: genesis, key ceremony, check-ins, open run
//   ca.pem          the demo's meeting CA certificate
//   server.key      the demo's server signing key (the genesis certifies it)
//   keys/<id>.pem   each participant's private key (signs fuzzed entries)
// Throwaway demo keys: they protect nothing.
//
// A service input is: byte 0 picks who is speaking (ServiceSpeakers order;
// the last choice is a stranger whose pin is on no roster), byte 1 the mode,
// the rest the payload.
#ifndef PHIEU_TESTS_FUZZ_SERVICE_FIXTURE_H_
#define PHIEU_TESTS_FUZZ_SERVICE_FIXTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/crypto/certificate.h"
#include "phieu/v1/record.pb.h"
#include "server/service.h"

namespace phieu::fuzz {

enum ServiceMode : uint8_t {
  kModeEnvelope = 0,     // payload: a serialized request Envelope, handled as is
  kModeSignedEntry = 1,  // payload: an EntryBody; the harness sets the meeting id,
                         // signs it with the speaker's key and posts it
  kServiceModes = 2,
};

inline constexpr char kStranger[] = "stranger";

// Everyone on the genesis roster, in roster order, then the stranger.
inline std::vector<server::Identity> ServiceSpeakers(const v1::Genesis& genesis) {
  std::vector<server::Identity> out;
  for (const auto& m : genesis.roster()) {
    auto cert = crypto::Certificate::FromDer(m.certificate());
    out.push_back({cert.ok() ? cert->Pin() : std::string(), m.participant_id()});
  }
  out.push_back({std::string(64, '0'), kStranger});
  return out;
}

}  // namespace phieu::fuzz

#endif  // PHIEU_TESTS_FUZZ_SERVICE_FIXTURE_H_
