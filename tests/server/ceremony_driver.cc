#include "tests/server/ceremony_driver.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "core/crypto/ceremony.h"
#include "core/record/run_support.h"

namespace phieu::testing {

void DriveCeremony(const record::BoardView& view,
                   const std::function<void(const std::string&, const v1::EntryBody&)>& post,
                   std::map<uint32_t, crypto::Scalar>* final_shares) {
  const auto& ids = view.ceremony().teller_ids;
  std::map<std::string, std::optional<crypto::CeremonyTeller>> tellers;
  std::map<std::string, std::set<uint32_t>> received;
  using Phase = crypto::CeremonyRecord::Phase;
  for (int round = 0; round < 20 && !view.key_ready(); ++round) {
    for (const auto& id : ids) {
      if (view.key_ready()) break;
      const uint32_t me = record::TellerIndex(view, id);
      ASSERT_NE(me, 0u) << id;
      auto rec = record::CeremonyRecordOf(view);
      ASSERT_TRUE(rec.ok()) << rec.status().ToString();
      if (!tellers[id]) {
        auto t = crypto::CeremonyTeller::Create(*rec, me);
        ASSERT_TRUE(t.ok()) << t.status().ToString();
        tellers[id].emplace(std::move(t).value());
      }
      crypto::CeremonyTeller& teller = *tellers[id];
      v1::EntryBody body;
      switch (rec->phase()) {
        case Phase::kCommit:
          if (rec->commit(me)) continue;
          *body.mutable_ceremony_commit() = teller.Commit().value();
          break;
        case Phase::kReveal:
          if (rec->reveal(me)) continue;
          *body.mutable_ceremony_reveal() = teller.Reveal().value();
          break;
        case Phase::kShares: {
          if (rec->shares(me)) continue;
          auto shares = teller.Shares(*rec);
          ASSERT_TRUE(shares.ok()) << shares.status().ToString();
          *body.mutable_ceremony_shares() = *shares;
          break;
        }
        case Phase::kSettle: {
          for (uint32_t sender = 1; sender <= rec->n(); ++sender) {
            if (sender == me || received[id].count(sender) || !rec->shares(sender)) continue;
            auto complaint = teller.ReceiveShare(*rec, sender);
            ASSERT_TRUE(complaint.ok()) << complaint.status().ToString();
            ASSERT_FALSE(complaint->has_value()) << "bad share from " << sender;
            received[id].insert(sender);
          }
          if (rec->test_decryption(me)) continue;
          auto test = teller.TestDecryption(*rec);
          ASSERT_TRUE(test.ok()) << test.status().ToString();
          *body.mutable_ceremony_test_decryption() = *test;
          break;
        }
        case Phase::kDone:
        case Phase::kFailed:
          FAIL() << "ceremony ended without a CeremonyDone entry";
      }
      post(id, body);
    }
  }
  ASSERT_TRUE(view.key_ready());
  if (!final_shares) return;
  auto rec = record::CeremonyRecordOf(view);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  for (const auto& id : ids) {
    auto share = tellers[id]->FinalShare(*rec);
    ASSERT_TRUE(share.ok()) << share.status().ToString();
    final_shares->emplace(record::TellerIndex(view, id), std::move(share).value());
  }
}

}  // namespace phieu::testing
