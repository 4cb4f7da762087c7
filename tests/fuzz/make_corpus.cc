// Writes the seed corpora of the fuzz targets:
//
//   build/bin/fuzz_make_corpus .
//
// (the argument is the repository root). It needs no earlier run: the service
// seeds come from the meeting the service target prepares itself
// (service_fixture.h, fresh keys each time), and name the open run, the
// ceremony and the speaker's pin by placeholders, so they hold no key and no
// hash of one run and mean the same against any prepared meeting. Each
// service seed is also run once against that meeting: what it reached is
// printed, and the seeds that must be accepted (or refused) are checked.
// What it writes, under tests/fuzz/corpus/:
//   frame    frames of each request kind (one stream of several frames too)
//   crypto   valid and broken encodings and proofs for crypto_fixture.h
//   meeting  the example meeting files
//   record   short prefixes of the prepared meeting's record (public data)
//   service  each request kind; each unit's valid ballot cast by its delegate
//            (accepted; the unit that already voted: its ballot resent, and a
//            different one), cast by another delegate (refused), with a proof
//            byte flipped (refused); valid spoils; one entry of each kind the
//            preparation posts, and close, cancel, paper batch, decryption
//            share, result co-signature, meeting closed, signed by a role
//            that may post them
// Existing files of the same names are overwritten; crash inputs kept in the
// corpora as regressions (named crash-*) are left alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/private_file.h"
#include "core/crypto/proofs.h"
#include "core/record/board_view.h"
#include "core/record/record_file.h"
#include "server/frame.h"
#include "tests/fuzz/crypto_fixture.h"
#include "tests/fuzz/service_fixture.h"
#include "tests/meeting_kit/meeting_kit.h"

namespace phieu::fuzz {
namespace {

namespace fs = std::filesystem;

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) {
    std::fprintf(stderr, "fuzz_make_corpus: %s: %s\n", what.c_str(), r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out.flush()) {
    std::fprintf(stderr, "fuzz_make_corpus: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::string Copy(const fs::path& from) { return Must(crypto::ReadFile(from.string()), from.string()); }

std::string Op(uint8_t op, const std::string& rest) { return std::string(1, static_cast<char>(op)) + rest; }

void WriteCryptoCorpus(const fs::path& dir) {
  const CryptoFixture fx;
  Write(dir / "point-generator", Op(kOpPoint, crypto::Point::Generator().Encode().value()));
  Write(dir / "point-key", Op(kOpPoint, fx.K.Encode().value()));
  std::string off_curve = fx.K.Encode().value();
  off_curve[1] = static_cast<char>(off_curve[1] ^ 1);
  Write(dir / "point-x-flipped", Op(kOpPoint, off_curve));
  Write(dir / "point-uncompressed-prefix", Op(kOpPoint, std::string(1, '\x04') + std::string(64, '\x01')));
  Write(dir / "scalar-one", Op(kOpScalar, crypto::Scalar::FromUint64(1).Encode()));
  Write(dir / "scalar-order-minus-one", Op(kOpScalar, crypto::Scalar::FromInt64(-1).Encode()));
  Write(dir / "scalar-all-ff", Op(kOpScalar, std::string(32, '\xff')));

  const std::vector<std::vector<uint32_t>> votes = {{1, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 0, 1}};
  for (size_t i = 0; i < votes.size(); ++i) {
    v1::EncryptedBallot ballot = Must(
        crypto::EncryptBallot(fx.run_context, fx.K, fx.layout, votes[i], "fuzz-run", "fuzz-unit", nullptr),
        "encrypt a ballot");
    Write(dir / ("ballot-" + std::to_string(i)), Op(kOpBallot, ballot.SerializeAsString()));
    if (i == 0) {
      ballot.mutable_cell_proofs(1)->mutable_challenges()->SwapElements(0, 1);
      Write(dir / "ballot-swapped-challenges", Op(kOpBallot, ballot.SerializeAsString()));
    }
  }
  v1::SchnorrProof schnorr = Must(crypto::ProveSchnorr(fx.schnorr_context, fx.key_secret, fx.K), "schnorr");
  Write(dir / "schnorr", Op(kOpSchnorr, schnorr.SerializeAsString()));
  v1::PartialDecryption partial =
      Must(crypto::PartialDecrypt(fx.partial_context, fx.share, fx.public_share, fx.ct), "partial");
  Write(dir / "partial", Op(kOpPartial, partial.SerializeAsString()));
}

// What a service seed must reach when run against the prepared meeting.
constexpr int kExpectAny = -2;
constexpr int kExpectPosted = -1;

class ServiceSeeds {
 public:
  ServiceSeeds(ServiceFixture& fixture, fs::path dir) : fx_(fixture), dir_(std::move(dir)) {}

  // Writes the seed, runs it once and prints what it reached; exits when it
  // did not reach `expect` (kExpectPosted, an ErrorCode, or kExpectAny).
  void Seed(const std::string& name, uint8_t who, ServiceMode mode, const std::string& payload,
            int expect = kExpectAny) {
    const std::string input = std::string{static_cast<char>(who), static_cast<char>(mode)} + payload;
    Write(dir_ / name, input);
    const auto ex = fx_.Run(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    if (!ex) {
      std::fprintf(stderr, "fuzz_make_corpus: service seed %s makes no request\n", name.c_str());
      std::exit(1);
    }
    const v1::Envelope& r = ex->response;
    const int got = r.has_error() ? static_cast<int>(r.error().code()) : r.has_posted() ? kExpectPosted : kExpectAny;
    std::printf("  %-40s %s: %s\n", name.c_str(), ex->who.participant_id.c_str(),
                r.has_error() ? r.error().message().c_str() : r.ShortDebugString().substr(0, 60).c_str());
    if (expect != kExpectAny && got != expect) {
      std::fprintf(stderr, "fuzz_make_corpus: service seed %s: expected %s\n", name.c_str(),
                   expect == kExpectPosted ? "posted" : v1::ErrorCode_Name(static_cast<v1::ErrorCode>(expect)).c_str());
      std::exit(1);
    }
  }
  void Signed(const std::string& name, uint8_t who, const v1::EntryBody& body, int expect = kExpectAny) {
    Seed(name, who, kModeSignedEntry, body.SerializeAsString(), expect);
  }

 private:
  ServiceFixture& fx_;
  fs::path dir_;
};

std::string Bytes(std::initializer_list<unsigned> bytes) {
  std::string out;
  for (unsigned b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// The seeds of the service target; the frame seeds are its requests as frames.
void WriteServiceAndFrameCorpus(ServiceFixture& fx, const std::vector<std::pair<std::string, v1::EntryBody>>& setup,
                                const fs::path& corpus) {
  ServiceSeeds seeds(fx, corpus / "service");
  const record::BoardView& view = fx.view();
  const std::string chair = testing::ChairOf(view);
  const uint8_t stranger = fx.SpeakerIndex(kStranger);
  std::map<std::string, uint8_t> delegate_of;  // unit id -> speaker index
  for (const auto& p : view.meeting().participants()) {
    if (!p.unit_id().empty()) delegate_of[p.unit_id()] = fx.SpeakerIndex(p.id());
  }
  // A delegate who is not the chair; a teller.
  uint8_t delegate = stranger;
  for (const auto& [unit, who] : delegate_of) {
    if (fx.speakers()[who].participant_id != chair) delegate = who;
  }
  const uint8_t teller = fx.SpeakerIndex(view.meeting().tellers().participant_ids(0));
  const uint8_t voter = delegate_of.at(fx.voted_unit());

  // Requests, as envelopes and as frames.
  std::vector<v1::Envelope> requests(6);
  requests[0].mutable_hello()->set_client("phieu/0.1");
  requests[1].mutable_get_entries()->set_from_seq(1);
  requests[1].mutable_get_entries()->set_limit(3);
  requests[2].mutable_my_ballot()->set_run_id(kRunPlaceholder);
  requests[3].mutable_ping();
  requests[4].mutable_my_ballot()->set_run_id(kRunPlaceholder);
  requests[4].mutable_my_ballot()->set_unit_id("no-such-unit");
  requests[5].mutable_pong();  // a response kind sent as a request
  const char* names[] = {"hello", "get-entries", "my-ballot", "ping", "my-ballot-other-unit", "pong"};
  std::string stream;
  for (size_t i = 0; i < requests.size(); ++i) {
    requests[i].set_request_id(i + 1);
    // My-ballot as the unit that voted: the service finds its ballot.
    seeds.Seed(std::string("envelope-") + names[i], i == 2 ? voter : delegate_of.begin()->second, kModeEnvelope,
               requests[i].SerializeAsString());
    Write(corpus / "frame" / names[i], server::EncodeFrame(requests[i]));
    stream += server::EncodeFrame(requests[i]);
  }
  seeds.Seed("envelope-get-entries-stranger", stranger, kModeEnvelope, requests[1].SerializeAsString());
  Write(corpus / "frame" / "stream", stream);
  Write(corpus / "frame" / "zero-length", std::string(4, '\0'));
  Write(corpus / "frame" / "over-cap", std::string("\x00\x10\x00\x01", 4) + "x");

  // Ballots and spoils made by the harness: [choice] [unit] [patches...].
  const auto& units = view.meeting().units();
  for (int u = 0; u < units.size(); ++u) {
    const std::string& unit = units[u].id();
    const uint8_t own = delegate_of.at(unit);
    const uint8_t other = delegate_of.at(units[(u + 1) % units.size()].id());  // the next unit's delegate
    const uint8_t unit_byte = static_cast<uint8_t>(u + 1);
    if (unit == fx.voted_unit()) {
      seeds.Seed("ballot-" + unit + "-resent", own, kModeBallot, Bytes({0, 0}), kExpectPosted);
      seeds.Seed("ballot-" + unit + "-another", own, kModeBallot, Bytes({1, 0}), v1::ERROR_ALREADY_VOTED);
      seeds.Seed("spoil-" + unit + "-cast", own, kModeSpoil, Bytes({1, 0}), v1::ERROR_WRONG_PHASE);
      continue;
    }
    seeds.Seed("ballot-" + unit, own, kModeBallot, Bytes({static_cast<unsigned>(u), 0}), kExpectPosted);
    seeds.Seed("ballot-" + unit + "-by-another", other, kModeBallot, Bytes({0, unit_byte}),
               v1::ERROR_PERMISSION_DENIED);
  }
  const std::string first_unit = units[0].id();
  const uint8_t first = delegate_of.at(first_unit);
  seeds.Seed("ballot-stranger", stranger, kModeBallot, Bytes({0, 1}), v1::ERROR_PERMISSION_DENIED);
  seeds.Seed("spoil-" + first_unit, first, kModeSpoil, Bytes({2, 0}), kExpectPosted);
  seeds.Seed("spoil-" + first_unit + "-choice-255", first, kModeSpoil, Bytes({255, 0}), kExpectPosted);
  // One byte flipped near the end (in the last proof), and in the middle.
  const std::string made = Must(fx.MadeBallot(fx.speakers()[first], kModeBallot, 0, 0), "a ballot");
  for (const auto& [where, at] : {std::make_pair("last-proof", made.size() - 3), std::make_pair("middle", made.size() / 2)}) {
    seeds.Seed("ballot-" + first_unit + "-flipped-" + where, first, kModeBallot,
               Bytes({0, 0, static_cast<unsigned>(at >> 8), static_cast<unsigned>(at & 0xff), 0x01}),
               v1::ERROR_VERIFICATION_FAILED);
  }
  const std::string spoil = Must(fx.MadeBallot(fx.speakers()[first], kModeSpoil, 2, 0), "a spoil");
  const size_t at = spoil.size() - 3;  // in the last randomness value
  seeds.Seed("spoil-" + first_unit + "-flipped", first, kModeSpoil,
             Bytes({2, 0, static_cast<unsigned>(at >> 8), static_cast<unsigned>(at & 0xff), 0x01}));
  {
    v1::Envelope post;
    post.set_request_id(100);
    v1::SignedEntry* se = post.mutable_post()->mutable_entry();
    se->set_body(made);
    se->set_author(fx.speakers()[first].pin);
    se->set_signature(std::string(64, '\x5a'));
    Write(corpus / "frame" / "post-ballot", server::EncodeFrame(post));
  }

  // One entry of each kind the preparation posted, by its author, with what
  // changes from run to run made a placeholder.
  std::set<std::string> kinds;
  for (auto [id, body] : setup) {
    const std::string kind = record::PayloadKind(body);
    if (kind == "ballot" || !kinds.insert(kind).second) continue;
    if (body.has_check_in()) body.mutable_check_in()->set_own_pin(kPinPlaceholder);
    if (body.has_open()) body.mutable_open()->set_ceremony_done(kCeremonyDonePlaceholder);
    body.clear_meeting_id();
    seeds.Signed("signed-" + kind, fx.SpeakerIndex(id), body);
  }
  const uint8_t chair_who = fx.SpeakerIndex(chair);
  v1::EntryBody body;
  body.mutable_open()->set_ballot_id(view.meeting().ballots(view.meeting().ballots_size() - 1).id());
  body.mutable_open()->set_round(1);
  body.mutable_open()->set_ceremony_done(kCeremonyDonePlaceholder);
  seeds.Signed("signed-open-another-ballot", chair_who, body, kExpectPosted);
  body.Clear();
  body.mutable_close()->set_run_id(kRunPlaceholder);
  seeds.Signed("signed-close", chair_who, body, kExpectPosted);
  seeds.Signed("signed-close-by-delegate", delegate, body, v1::ERROR_PERMISSION_DENIED);
  body.Clear();
  body.mutable_cancel()->set_run_id(kRunPlaceholder);
  body.mutable_cancel()->set_reason("fuzz");
  seeds.Signed("signed-cancel", chair_who, body);
  body.Clear();
  {
    // One paper ballot for the first candidate, from the first unit.
    v1::PaperBatch* b = body.mutable_paper_batch();
    b->set_run_id(kRunPlaceholder);
    const v1::BallotSpec& spec = view.meeting().ballots(0);
    for (int i = 0; i <= spec.candidates_size(); ++i) b->add_counts(i == 1 ? 1 : 0);
    b->add_unit_ids(first_unit);
    b->set_valid(1);
  }
  seeds.Signed("signed-paper_batch", teller, body);
  body.Clear();
  body.mutable_decryption_share()->set_run_id(kRunPlaceholder);
  body.mutable_decryption_share()->set_tally_entry(kRunPlaceholder);
  seeds.Signed("signed-decryption_share", teller, body);
  body.Clear();
  body.mutable_result_cosign()->set_result_entry(kRunPlaceholder);
  seeds.Signed("signed-result_cosign", teller, body);
  body.Clear();
  body.mutable_meeting_closed();
  seeds.Signed("signed-meeting_closed", chair_who, body);
}

v1::ElectionRecord Prefix(const v1::ElectionRecord& full, int count) {
  v1::ElectionRecord out;
  for (int i = 0; i < count && i < full.entries_size(); ++i) *out.add_entries() = full.entries(i);
  out.set_format(std::string(record::kRecordFormat));
  out.set_entry_count(out.entries_size());
  out.set_head(out.entries(out.entries_size() - 1).hash());
  return out;
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus REPO_ROOT\n");
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path corpus = root / "tests/fuzz/corpus";

  std::vector<std::pair<std::string, v1::EntryBody>> setup;
  ServiceFixture fx([&](const std::string& id, const v1::EntryBody& body) { setup.emplace_back(id, body); });
  std::printf("meeting prepared in %.2f s; service seeds:\n", fx.setup_seconds());

  // Record seeds (before any seed runs, though each leaves the board pristine):
  // the genesis alone, with one entry, and the board as the key was fixed.
  const v1::ElectionRecord full = Must(fx.Export(), "export");
  int done = 1;
  for (; done < full.entries_size(); ++done) {
    v1::EntryBody b;
    if (b.ParseFromString(full.entries(done).signed_().body()) && b.has_ceremony_done()) break;
  }
  for (int count : {1, 2, done + 1}) {
    const v1::ElectionRecord r = Prefix(full, count);
    Write(corpus / "record" / ("prefix-" + std::to_string(r.entries_size())), r.SerializeAsString());
  }

  WriteServiceAndFrameCorpus(fx, setup, corpus);

  // Meeting seeds.
  for (const auto& e : fs::directory_iterator(root / "examples")) {
    if (e.path().extension() == ".textproto") Write(corpus / "meeting" / e.path().filename(), Copy(e.path()));
  }
  Write(corpus / "meeting" / "syntax-error", "id: \"x\"\nunits { id: \"a\" name: \n");

  WriteCryptoCorpus(corpus / "crypto");
  std::printf("wrote %s\n", corpus.c_str());
  return 0;
}

}  // namespace
}  // namespace phieu::fuzz

int main(int argc, char** argv) { return phieu::fuzz::Main(argc, argv); }
