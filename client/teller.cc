#include "client/teller.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <google/protobuf/util/message_differencer.h>

#include "client/args.h"
#include "client/commands.h"
#include "client/teller_ceremony.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/certificate.h"
#include "core/crypto/dlog.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/crypto/proofs.h"
#include "core/crypto/secure.h"
#include "core/crypto/share_vault.h"
#include "core/crypto/threshold.h"
#include "core/meeting/meeting_defaults.h"
#include "core/record/record_file.h"
#include "core/record/entry_signature.h"
#include "core/rules/outcome.h"
#include "core/util/bytes.h"

namespace phieu::client {
namespace {

using record::BoardView;
using record::Run;

}  // namespace

Teller::Teller(MeetingClient* client, std::string passphrase)
    : client_(client), passphrase_(std::move(passphrase)) {
  ceremony_ = std::make_unique<TellerCeremony>(client_, passphrase_,
                                               [this](uint32_t attempt) {
                                                 return client_->profile_dir() + "/teller/share-" +
                                                        std::to_string(attempt) + ".vault";
                                               });
}

Teller::~Teller() { crypto::SecureWipe(passphrase_); }

std::string Teller::vault_path() const {
  return client_->profile_dir() + "/teller/share-" + std::to_string(client_->view().ceremony().attempt) + ".vault";
}

std::string Teller::journal_path() const { return client_->profile_dir() + "/teller/journal.txt"; }

bool Teller::InJournal(const std::string& line) const {
  std::ifstream in(journal_path());
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

Status Teller::AddToJournal(const std::string& line) {
  std::string existing;
  if (auto r = crypto::ReadFile(journal_path()); r.ok()) existing = *r;
  return record::WriteFileDurably(journal_path(), existing + line + "\n");
}

Status Teller::LoadShare() {
  if (share_) return Status::Ok();
  const BoardView& v = client_->view();
  uint32_t index = record::TellerIndex(v, client_->participant_id());
  ASSIGN_OR_RETURN(std::string sealed, crypto::ReadFile(vault_path()));
  ASSIGN_OR_RETURN(std::string secret,
                   crypto::OpenShare(sealed, passphrase_, crypto::ShareVaultContext(v.meeting().id(), index)));
  Result<crypto::Scalar> s = crypto::Scalar::Decode(secret);
  crypto::SecureWipe(secret);
  if (!s.ok()) return s.status();
  share_ = std::move(s).value();
  return Status::Ok();
}

Status Teller::DestroyShare() {
  share_.reset();
  const std::string path = vault_path();
  if (auto sealed = crypto::ReadFile(path); sealed.ok()) {
    // Overwrite before unlinking; the sealed file is useless without the
    // passphrase, but there is no reason to leave it.
    RETURN_IF_ERROR(crypto::WritePrivateFile(path, std::string(sealed->size(), '\0')));
    std::remove(path.c_str());
  }
  return Status::Ok();
}

Status Teller::CheckBallots(const Run& run, RunState* st) {
  const BoardView& v = client_->view();
  if (!st->aggregate) {
    ASSIGN_OR_RETURN(record::RunAggregate agg, record::RunAggregate::Create(v, run));
    st->aggregate = std::make_unique<record::RunAggregate>(std::move(agg));
  }
  if (!st->refused.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(std::string ctx, record::RunContext(v, run));
  if (!joint_table_ || joint_table_done_ != v.ceremony().done_entry) {
    ASSIGN_OR_RETURN(crypto::Point key, record::JointKey(v));
    ASSIGN_OR_RETURN(crypto::FixedBase table, crypto::FixedBase::Create(key));
    joint_table_.emplace(std::move(table));
    joint_table_done_ = v.ceremony().done_entry;
  }
  const crypto::FixedBase& key = *joint_table_;
  // Ballots in chain order, each once. A ballot after the close is not counted.
  for (uint64_t seq = std::max(run.open_seq + 1, st->next_seq); seq < v.length(); st->next_seq = ++seq) {
    if (run.closed && seq > run.close_seq) break;
    const v1::EntryBody& body = v.body(seq);
    if (!body.has_ballot() || body.ballot().run_id() != run.run_id || st->checked.count(seq)) continue;
    const v1::BoardEntry& e = v.entry(seq);
    const v1::EncryptedBallot& b = body.ballot();
    Status s = record::VerifyEntrySignature(v, e);
    if (s.ok()) {
      Result<std::string> caster = record::CasterFor(v, run, b.unit_id());
      const record::RosterPerson* author = v.PersonByPin(e.signed_().author());
      if (!caster.ok()) s = caster.status();
      else if (!author || author->participant_id != *caster) s = VerificationFailed("ballot of '" + b.unit_id() + "' cast by someone who may not");
    }
    if (st->units.count(b.unit_id())) s = VerificationFailed("a second ballot for '" + b.unit_id() + "'");
    if (s.ok()) {
      Result<v1::BallotLayout> layout = record::VoterLayoutFor(v, run, b.unit_id());
      s = layout.ok() ? crypto::VerifyBallot(ctx, key, *layout, b) : layout.status();
    }
    if (s.ok()) s = st->aggregate->Add(b, v.Weight(b.unit_id()));
    if (!s.ok()) {
      st->refused = "entry " + std::to_string(seq) + ": " + s.message();
      std::cerr << "teller: will not decrypt " << run.ballot_id << ": " << st->refused << "\n";
      return Status::Ok();
    }
    st->checked.insert(seq);
    st->units.insert(b.unit_id());
    st->ballot_ids.push_back(record::EntryId(e));
  }
  return Status::Ok();
}

Status Teller::MaybeDecrypt(const Run& run, RunState* st) {
  const BoardView& v = client_->view();
  if (run.tally_entry.empty() || run.cancelled || !run.result_entry.empty()) return Status::Ok();
  uint32_t index = record::TellerIndex(v, client_->participant_id());
  if (index == 0 || run.decryption_shares.count(index)) return Status::Ok();
  const std::string journal_line = "decrypted " + run.run_id;
  if (InJournal(journal_line)) return Status::Ok();  // once per run, even after a restart
  if (!st->refused.empty()) return Status::Ok();

  const v1::BoardEntry& tally_entry = v.entry(run.tally_seq);
  RETURN_IF_ERROR(record::VerifyServerSignature(v, tally_entry));
  const v1::Tally& tally = v.body(run.tally_seq).tally();
  // Only a total this teller added up itself, from ballots it checked itself.
  if (std::vector<std::string>(tally.ballot_entries().begin(), tally.ballot_entries().end()) != st->ballot_ids) {
    st->refused = "the server's tally counts other ballots than the ones this teller checked";
  } else {
    Result<std::vector<v1::Ciphertext>> mine_r = st->aggregate->ToProto();
    std::vector<v1::Ciphertext> mine = mine_r.ok() ? std::move(mine_r).value() : std::vector<v1::Ciphertext>{};
    if (!mine_r.ok()) {
      st->refused = mine_r.status().message();
    } else if (static_cast<int>(mine.size()) != tally.totals_size()) {
      st->refused = "the server's tally has another number of totals";
    } else {
      for (int i = 0; i < tally.totals_size(); ++i) {
        if (mine[i].pad() != tally.totals(i).pad() || mine[i].data() != tally.totals(i).data()) {
          st->refused = "the server's total " + std::to_string(i) + " is not this teller's own sum";
          break;
        }
      }
    }
  }
  if (st->refused.empty() && st->aggregate->ballots() < meeting::MinBallots(v.meeting())) {
    st->refused = "only " + std::to_string(st->aggregate->ballots()) + " ballots; at least " +
                  std::to_string(meeting::MinBallots(v.meeting())) + " are needed before a decryption";
  }
  if (!st->refused.empty()) {
    std::cerr << "teller: will not decrypt " << run.ballot_id << ": " << st->refused << "\n";
    return Status::Ok();
  }

  RETURN_IF_ERROR(LoadShare());
  ASSIGN_OR_RETURN(crypto::Point public_share, record::TellerPublicShare(v, index));
  const std::string ctx = record::DecryptionContext(v, run);
  v1::EntryBody body;
  v1::DecryptionShare* d = body.mutable_decryption_share();
  d->set_run_id(run.run_id);
  d->set_tally_entry(run.tally_entry);
  d->set_index(index);
  for (int i = 0; i < tally.totals_size(); ++i) {
    ASSIGN_OR_RETURN(crypto::Ciphertext ct, crypto::FromProto(tally.totals(i)));
    ASSIGN_OR_RETURN(*d->add_partials(), crypto::PartialDecrypt(ctx, *share_, public_share, ct));
  }
  RETURN_IF_ERROR(AddToJournal(journal_line));
  ASSIGN_OR_RETURN(v1::Posted posted, client_->Post(body));
  std::cout << "teller " << client_->participant_id() << ": decrypted the totals of " << run.ballot_id
            << " (" << st->aggregate->ballots() << " ballots), entry " << posted.seq() << "\n" << std::flush;
  return Status::Ok();
}

Status Teller::MaybeCosign(const Run& run) {
  const BoardView& v = client_->view();
  if (run.result_entry.empty()) return Status::Ok();
  uint32_t index = record::TellerIndex(v, client_->participant_id());
  if (index == 0 || run.cosigned.count(index)) return Status::Ok();
  const std::string journal_line = "cosigned " + run.run_id;
  if (InJournal(journal_line)) return Status::Ok();

  const v1::BoardEntry& e = v.entry(run.result_seq);
  RETURN_IF_ERROR(record::VerifyServerSignature(v, e));
  const v1::Result& result = v.body(run.result_seq).result();
  // Recompute the totals from the posted shares of the tellers the result names.
  std::vector<uint32_t> indices(result.tellers().begin(), result.tellers().end());
  if (indices.size() < v.ceremony().threshold) return VerificationFailed("the result names fewer than t tellers");
  ASSIGN_OR_RETURN(std::vector<uint64_t> totals,
                   record::DecryptTotals(v, run, indices, /*verify_partials=*/true));
  ASSIGN_OR_RETURN(v1::Counts counts, record::CountsFor(v, run));
  if (std::vector<uint64_t>(result.totals().begin(), result.totals().end()) != totals) {
    return VerificationFailed("the server's result totals do not follow from the decryption shares; not co-signing");
  }
  ASSIGN_OR_RETURN(v1::Outcome outcome,
                   rules::ComputeOutcome(v.meeting(), *v.Spec(run.ballot_id), run.candidates, totals, counts));
  v1::Outcome claimed;
  if (!claimed.ParseFromString(result.outcome()) ||
      !google::protobuf::util::MessageDifferencer::Equals(outcome, claimed)) {
    return VerificationFailed("the server's outcome does not follow from the totals by the rules; not co-signing");
  }
  v1::EntryBody body;
  body.mutable_result_cosign()->set_result_entry(run.result_entry);
  RETURN_IF_ERROR(AddToJournal(journal_line));
  ASSIGN_OR_RETURN(v1::Posted posted, client_->Post(body));
  std::cout << "teller " << client_->participant_id() << ": co-signed the result of " << run.ballot_id
            << ", entry " << posted.seq() << "\n" << std::flush;
  return Status::Ok();
}

Status Teller::Step() {
  const BoardView& v = client_->view();
  if (!v.key_ready() || ceremony_->busy()) RETURN_IF_ERROR(ceremony_->Step());
  if (!v.key_ready()) return Status::Ok();
  for (const Run* run : v.RunsInOrder()) {
    RunState& st = runs_[run->run_id];
    if (run->cancelled) continue;
    // Unlock the share while the ballot is open, so that the close does
    // not wait for the passphrase's key derivation.
    if (!run->closed && run->result_entry.empty() && record::TellerIndex(v, client_->participant_id()) != 0) {
      RETURN_IF_ERROR(LoadShare());
    }
    RETURN_IF_ERROR(CheckBallots(*run, &st));
    RETURN_IF_ERROR(MaybeDecrypt(*run, &st));
    RETURN_IF_ERROR(MaybeCosign(*run));
  }
  if (v.meeting_closed() && !finished_) {
    uint32_t index = record::TellerIndex(v, client_->participant_id());
    RETURN_IF_ERROR(DestroyShare());
    if (index != 0) {
      v1::EntryBody body;
      body.mutable_share_destroyed()->set_index(index);
      // The meeting is closed; the server may refuse further entries. The
      // share is gone either way.
      auto posted = client_->Post(body);
      if (!posted.ok()) std::cerr << "teller: " << posted.status().message() << "\n";
    }
    std::cout << "teller " << client_->participant_id() << ": meeting closed, share destroyed\n";
    finished_ = true;
  }
  return Status::Ok();
}

int RunTeller(const Argv& argv) {
  auto args = Args::Parse(argv, {"profile", "passphrase-file", "seconds"}, {});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 1 || args->positional()[0] != "run" || !args->Has("passphrase-file")) {
    std::cerr << "usage: phieu teller run --passphrase-file FILE [--seconds N] [--profile DIR]\n";
    return 2;
  }
  auto pass = crypto::ReadFile(args->Get("passphrase-file"));
  if (!pass.ok()) return Fail(pass.status().Annotate("passphrase file"));
  std::string passphrase = *pass;
  crypto::SecureWipe(*pass);
  while (!passphrase.empty() && (passphrase.back() == '\n' || passphrase.back() == '\r')) passphrase.pop_back();
  if (passphrase.size() < 8) return Fail(InvalidArgument("the passphrase must have at least 8 characters"));

  auto client = MeetingClient::Connect(ProfileDir(args->Get("profile")));
  if (!client.ok()) return Fail(client.status());
  if (Status s = (*client)->Sync(); !s.ok()) return Fail(s);
  if (!(*client)->HasRole(v1::ROLE_TELLER)) return Fail(PermissionDenied("you are not a teller of this meeting"));
  if (Status s = crypto::MakeDirs((*client)->profile_dir() + "/teller", 0700); !s.ok()) return Fail(s);

  Teller teller(client->get(), std::move(passphrase));
  const int seconds = std::atoi(args->Get("seconds", "36000").c_str());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::cout << "teller " << (*client)->participant_id() << ": following the meeting\n" << std::flush;
  while (!teller.finished()) {
    if (Status s = teller.Step(); !s.ok()) {
      // A refused or failed step is reported and retried on the next
      // entry; only a lost server ends the teller.
      if (s.code() == StatusCode::kUnavailable) return Fail(s);
      std::cerr << "teller: " << s.ToString() << "\n";
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::cout << "teller: time limit reached\n";
      return 0;
    }
    uint64_t len = (*client)->view().length();
    Status s = (*client)->WaitFor([&](const BoardView& v) { return v.length() > len; },
                                  std::chrono::seconds(2), "new entries");
    if (!s.ok() && s.code() != StatusCode::kFailedPrecondition) return Fail(s);
  }
  return 0;
}

}  // namespace phieu::client
