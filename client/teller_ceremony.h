// TellerCeremony: one teller's part in the key ceremony, driven by the board.
//
// Each Step() looks at the ceremony in force (replayed into a
// crypto::CeremonyRecord, every message checked again) and posts what this
// teller owes next: its commit, its reveal, its encrypted shares, a complaint
// about a bad share it received, an answer to a complaint against it, and
// finally its test decryption — after sealing its final secret share to the
// vault file under the passphrase (scrypt + AES-256-GCM). The polynomial and
// the shares received live only in memory and are wiped on destruction; a
// teller that restarts mid-ceremony cannot continue that attempt and says so
// (the chair starts a new attempt).
//
// Thread-safety: none.
#ifndef PHIEU_CLIENT_TELLER_CEREMONY_H_
#define PHIEU_CLIENT_TELLER_CEREMONY_H_

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "client/meeting_client.h"
#include "core/crypto/ceremony.h"

namespace phieu::client {

class TellerCeremony {
 public:
  // `vault_path(attempt)` names the file the final share is sealed to.
  TellerCeremony(MeetingClient* client, std::string passphrase,
                 std::function<std::string(uint32_t)> vault_path);
  ~TellerCeremony();

  Status Step();
  // True while this teller holds secrets of an unfinished attempt.
  bool busy() const { return teller_.has_value(); }

 private:
  MeetingClient* client_;
  std::string passphrase_;
  std::function<std::string(uint32_t)> vault_path_;
  std::optional<crypto::CeremonyTeller> teller_;
  uint32_t attempt_ = 0;
  std::set<uint32_t> received_;
  bool lost_ = false;
};

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_TELLER_CEREMONY_H_
