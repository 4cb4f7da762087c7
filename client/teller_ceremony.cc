#include "client/teller_ceremony.h"

#include <cstdio>
#include <iostream>

#include "core/crypto/private_file.h"
#include "core/crypto/secure.h"
#include "core/crypto/share_vault.h"
#include "core/record/run_support.h"

namespace phieu::client {

TellerCeremony::TellerCeremony(MeetingClient* client, std::string passphrase,
                               std::function<std::string(uint32_t)> vault_path)
    : client_(client), passphrase_(std::move(passphrase)), vault_path_(std::move(vault_path)) {}

TellerCeremony::~TellerCeremony() { crypto::SecureWipe(passphrase_); }

Status TellerCeremony::Step() {
  const record::BoardView& v = client_->view();
  if (v.key_ready()) {
    teller_.reset();
    return Status::Ok();
  }
  if (v.ceremony().attempt == 0) return Status::Ok();
  const uint32_t me = record::TellerIndex(v, client_->participant_id());
  if (me == 0) return Status::Ok();  // not a teller of this attempt
  ASSIGN_OR_RETURN(crypto::CeremonyRecord record, record::CeremonyRecordOf(v));

  if (record.attempt() != attempt_) {
    teller_.reset();
    received_.clear();
    attempt_ = record.attempt();
    lost_ = record.commit(me) != nullptr;
    if (lost_) {
      std::cerr << "teller: this laptop's ceremony secrets for attempt " << attempt_
                << " are gone (the client restarted); ask the chair to start a new attempt\n";
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(crypto::CeremonyTeller t, crypto::CeremonyTeller::Create(record, me));
    teller_.emplace(std::move(t));
  }
  if (lost_ || !teller_) return Status::Ok();

  using Phase = crypto::CeremonyRecord::Phase;
  v1::EntryBody body;
  switch (record.phase()) {
    case Phase::kCommit: {
      if (record.commit(me)) return Status::Ok();
      ASSIGN_OR_RETURN(*body.mutable_ceremony_commit(), teller_->Commit());
      break;
    }
    case Phase::kReveal: {
      if (record.reveal(me)) return Status::Ok();
      ASSIGN_OR_RETURN(*body.mutable_ceremony_reveal(), teller_->Reveal());
      break;
    }
    case Phase::kShares: {
      if (record.shares(me)) return Status::Ok();
      ASSIGN_OR_RETURN(*body.mutable_ceremony_shares(), teller_->Shares(record));
      break;
    }
    case Phase::kSettle: {
      // Answer complaints against this teller first: they decide who stays.
      for (const auto& [complainer, accused] : record.OpenComplaints()) {
        if (accused != me) continue;
        for (uint64_t seq : v.ceremony().complaints) {
          const auto& c = v.body(seq).ceremony_complaint();
          if (c.index() == complainer && c.against() == me) {
            v1::EntryBody answer;
            ASSIGN_OR_RETURN(*answer.mutable_ceremony_complaint_answer(), teller_->AnswerComplaint(c));
            RETURN_IF_ERROR(client_->Post(answer).status());
            return Status::Ok();
          }
        }
      }
      // Check each share received; a bad one gets a public complaint.
      for (uint32_t sender = 1; sender <= record.n(); ++sender) {
        if (sender == me || received_.count(sender) || !record.shares(sender)) continue;
        ASSIGN_OR_RETURN(std::optional<v1::CeremonyComplaint> complaint, teller_->ReceiveShare(record, sender));
        received_.insert(sender);
        if (complaint) {
          std::cerr << "teller: the share from teller " << sender << " is bad; complaining publicly\n";
          *body.mutable_ceremony_complaint() = *complaint;
          break;
        }
      }
      if (body.has_ceremony_complaint()) break;
      if (!record.OpenComplaints().empty() || record.excluded().count(me)) return Status::Ok();
      if (record.test_decryption(me) != nullptr) return Status::Ok();
      // Seal the final share before proving it works: a forgotten passphrase
      // shows up now, in the test decryption, not at the close of a ballot.
      ASSIGN_OR_RETURN(crypto::Scalar share, teller_->FinalShare(record));
      std::string secret = share.Encode();
      Result<std::string> sealed =
          crypto::SealShare(secret, passphrase_, crypto::ShareVaultContext(v.meeting().id(), me));
      crypto::SecureWipe(secret);
      if (!sealed.ok()) return sealed.status();
      // An exclusion after an earlier test decryption changes the share: the
      // sealed file of the old one is replaced.
      std::remove(vault_path_(attempt_).c_str());
      RETURN_IF_ERROR(crypto::WritePrivateFile(vault_path_(attempt_), *sealed));
      ASSIGN_OR_RETURN(std::string reopened, crypto::ReadFile(vault_path_(attempt_)));
      Result<std::string> check =
          crypto::OpenShare(reopened, passphrase_, crypto::ShareVaultContext(v.meeting().id(), me));
      if (!check.ok()) return check.status().Annotate("re-reading the sealed share");
      crypto::SecureWipe(*check);
      ASSIGN_OR_RETURN(*body.mutable_ceremony_test_decryption(), teller_->TestDecryption(record));
      break;
    }
    case Phase::kDone:
      return Status::Ok();
    case Phase::kFailed:
      std::cerr << "teller: ceremony attempt " << attempt_
                << " failed (fewer than t tellers left); the chair starts a new one\n";
      return Status::Ok();
  }
  ASSIGN_OR_RETURN(v1::Posted posted, client_->Post(body));
  std::cout << "teller " << client_->participant_id() << ": ceremony " << record::PayloadKind(body)
            << ", entry " << posted.seq() << "\n" << std::flush;
  return Status::Ok();
}

}  // namespace phieu::client
