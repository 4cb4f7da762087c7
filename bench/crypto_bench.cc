// Crypto benchmarks (Google Benchmark): encrypt+prove and verify of the
// example meetings' ballot shapes, against raw OpenSSL EC_POINT_mul rates
// measured in the same run.
//
// Layouts (built by hand here; core/rules builds the real ones):
//   elect-one-of-7   7 candidates + blank, Σ = 1
//   approve-3-of-7   7 candidates + blank b, 3·b + Σx ∈ [1, 3]
//   rank-3-of-8      8×3 cells + blank, the rank constraints
//
// After the benchmarks, a table prints for each operation the curve
// multiplications it needs by kind (counted by core/crypto/group.cc), their
// cost at the raw rates just measured, and the ratio of the measured time to
// that cost. The target for verification is a ratio <= 1.5.
//
// Raw rates: BM_Raw* call EC_POINT_mul directly (not the project's wrappers):
//   fixed-base  k·G        (OpenSSL's precomputed generator table)
//   variable    k·P
//   double      a·G + b·P  (what one ECDSA verification costs)
// Compare with `openssl speed -seconds 3 ecdsap256 ecdhp256`: its ECDSA
// "verify/s" is ≈ the double-multiplication rate, its ECDH "op/s" ≈ the
// variable-base rate. Set PHIEU_BENCH_OPENSSL_SPEED=1 to run it at the end.
#include <benchmark/benchmark.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/group.h"
#include "core/crypto/proofs.h"
#include "tests/crypto/test_layouts.h"

namespace phieu::crypto {
namespace {

// ---------------------------------------------------------------- raw OpenSSL

struct Raw {
  Raw() {
    group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    ctx = BN_CTX_new();
    a = BN_new();
    b = BN_new();
    BN_rand_range(a, EC_GROUP_get0_order(group));
    BN_rand_range(b, EC_GROUP_get0_order(group));
    p = EC_POINT_new(group);
    r = EC_POINT_new(group);
    EC_POINT_mul(group, p, a, nullptr, nullptr, ctx);
  }
  ~Raw() {
    EC_POINT_free(p);
    EC_POINT_free(r);
    BN_free(a);
    BN_free(b);
    BN_CTX_free(ctx);
    EC_GROUP_free(group);
  }
  EC_GROUP* group;
  BN_CTX* ctx;
  BIGNUM *a, *b;
  EC_POINT *p, *r;
};

void BM_RawFixedBase(benchmark::State& state) {
  Raw raw;
  for (auto _ : state) {
    if (EC_POINT_mul(raw.group, raw.r, raw.a, nullptr, nullptr, raw.ctx) != 1) std::abort();
    benchmark::DoNotOptimize(raw.r);
  }
}
BENCHMARK(BM_RawFixedBase)->Unit(benchmark::kMicrosecond);

void BM_RawVariableBase(benchmark::State& state) {
  Raw raw;
  for (auto _ : state) {
    if (EC_POINT_mul(raw.group, raw.r, nullptr, raw.p, raw.b, raw.ctx) != 1) std::abort();
    benchmark::DoNotOptimize(raw.r);
  }
}
BENCHMARK(BM_RawVariableBase)->Unit(benchmark::kMicrosecond);

void BM_RawDouble(benchmark::State& state) {
  Raw raw;
  for (auto _ : state) {
    if (EC_POINT_mul(raw.group, raw.r, raw.a, raw.p, raw.b, raw.ctx) != 1) std::abort();
    benchmark::DoNotOptimize(raw.r);
  }
}
BENCHMARK(BM_RawDouble)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------- ballots

struct Shape {
  const char* name;
  v1::BallotLayout layout;
  std::vector<uint32_t> marks;
};

const std::vector<Shape>& Shapes() {
  static const auto* shapes = [] {
    auto* s = new std::vector<Shape>;
    auto elect = testing::ElectOne(7);
    s->push_back({"elect-one-of-7", elect, testing::Marks(elect, {3})});
    auto approve = testing::ApproveUpTo(3, 7);
    s->push_back({"approve-3-of-7", approve, testing::Marks(approve, {0, 2, 5})});
    auto rank = testing::RankTop(3, 8);
    s->push_back({"rank-3-of-8", rank, testing::Marks(rank, {1 * 3 + 0, 4 * 3 + 1, 6 * 3 + 2})});
    return s;
  }();
  return *shapes;
}

struct Fixture {
  Fixture() {
    key = *Point::MulGen(*Scalar::Random());
    run = RunContext(std::string(32, 'g'), std::string(32, 'c'), key, std::string(32, 'o'), "b1");
  }
  Point key;
  std::string run;
};

Fixture& Fix() {
  static Fixture* f = new Fixture;
  return *f;
}

// Operation name -> multiplications of one run of it, by kind.
std::map<std::string, OpCounters>& OpsNeeded() {
  static auto* m = new std::map<std::string, OpCounters>;
  return *m;
}

void SetCounters(benchmark::State& state, const OpCounters& c) {
  state.counters["fixed"] = static_cast<double>(c.fixed_base);
  state.counters["variable"] = static_cast<double>(c.variable_base);
  state.counters["double"] = static_cast<double>(c.double_base);
}

void BM_EncryptAndProve(benchmark::State& state) {
  const Shape& shape = Shapes()[state.range(0)];
  Fixture& f = Fix();
  ResetCounters();
  auto once = EncryptBallot(f.run, f.key, shape.layout, shape.marks, "run", "unit", nullptr);
  if (!once.ok()) {
    state.SkipWithError(once.status().ToString().c_str());
    return;
  }
  const OpCounters ops = Counters();
  for (auto _ : state) {
    auto b = EncryptBallot(f.run, f.key, shape.layout, shape.marks, "run", "unit", nullptr);
    benchmark::DoNotOptimize(b);
  }
  state.SetLabel(shape.name);
  SetCounters(state, ops);
  OpsNeeded()[std::string("encrypt+prove ") + shape.name] = ops;
}
BENCHMARK(BM_EncryptAndProve)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

void BM_VerifyBallot(benchmark::State& state) {
  const Shape& shape = Shapes()[state.range(0)];
  Fixture& f = Fix();
  auto ballot = EncryptBallot(f.run, f.key, shape.layout, shape.marks, "run", "unit", nullptr);
  if (!ballot.ok()) {
    state.SkipWithError(ballot.status().ToString().c_str());
    return;
  }
  ResetCounters();
  if (!VerifyBallot(f.run, f.key, shape.layout, *ballot).ok()) {
    state.SkipWithError("verification failed");
    return;
  }
  const OpCounters ops = Counters();
  for (auto _ : state) {
    Status s = VerifyBallot(f.run, f.key, shape.layout, *ballot);
    benchmark::DoNotOptimize(s);
  }
  state.SetLabel(shape.name);
  SetCounters(state, ops);
  OpsNeeded()[std::string("verify ") + shape.name] = ops;
}
BENCHMARK(BM_VerifyBallot)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

// The same verification with the joint key's precomputed table, as a server
// or teller checking many ballots runs it (FixedBase built once, untimed).
void BM_VerifyBallotKeyTable(benchmark::State& state) {
  const Shape& shape = Shapes()[state.range(0)];
  Fixture& f = Fix();
  static const FixedBase* table = new FixedBase(*FixedBase::Create(f.key));
  auto ballot = EncryptBallot(f.run, f.key, shape.layout, shape.marks, "run", "unit", nullptr);
  if (!ballot.ok()) {
    state.SkipWithError(ballot.status().ToString().c_str());
    return;
  }
  ResetCounters();
  if (!VerifyBallot(f.run, *table, shape.layout, *ballot).ok()) {
    state.SkipWithError("verification failed");
    return;
  }
  const OpCounters ops = Counters();
  for (auto _ : state) {
    Status s = VerifyBallot(f.run, *table, shape.layout, *ballot);
    benchmark::DoNotOptimize(s);
  }
  state.SetLabel(shape.name);
  SetCounters(state, ops);
  OpsNeeded()[std::string("verify+K-table ") + shape.name] = ops;
}
BENCHMARK(BM_VerifyBallotKeyTable)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

void BM_BuildKeyTable(benchmark::State& state) {
  for (auto _ : state) {
    auto t = FixedBase::Create(Fix().key);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_BuildKeyTable)->Unit(benchmark::kMillisecond);

void BM_VerifyPartialDecryption(benchmark::State& state) {
  Scalar s = *Scalar::Random();
  Point ks = *Point::MulGen(s);
  Ciphertext ct = *Encrypt(Fix().key, 1, *Scalar::Random());
  auto partial = *PartialDecrypt("ctx", s, ks, ct);
  ResetCounters();
  if (!VerifyPartial("ctx", ks, ct, partial).ok()) std::abort();
  const OpCounters ops = Counters();
  for (auto _ : state) {
    Status st = VerifyPartial("ctx", ks, ct, partial);
    benchmark::DoNotOptimize(st);
  }
  SetCounters(state, ops);
  OpsNeeded()["verify partial decryption"] = ops;
}
BENCHMARK(BM_VerifyPartialDecryption)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------- ratios

// Keeps each benchmark's CPU time per iteration, in microseconds. CPU time,
// not wall time: every measured operation is single-threaded, and on a shared
// machine wall time also counts other processes.
class Collector : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      const double us = r.GetAdjustedCPUTime() *
                        (r.time_unit == benchmark::kMicrosecond ? 1.0
                         : r.time_unit == benchmark::kNanosecond ? 1e-3
                         : r.time_unit == benchmark::kMillisecond ? 1e3
                                                                  : 1e6);
      std::string name = r.benchmark_name();
      if (!r.report_label.empty()) name = r.report_label + "|" + name;
      micros[name] = us;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> micros;
};

double Find(const Collector& c, const std::string& prefix, const std::string& label = "") {
  for (const auto& [name, us] : c.micros) {
    const bool label_ok = label.empty() ? name.find('|') == std::string::npos
                                        : name.rfind(label + "|", 0) == 0;
    if (label_ok && name.find(prefix) != std::string::npos) return us;
  }
  return 0;
}

void PrintRatios(const Collector& c) {
  const double fixed = Find(c, "BM_RawFixedBase"), variable = Find(c, "BM_RawVariableBase"),
               dbl = Find(c, "BM_RawDouble");
  if (fixed <= 0 || variable <= 0 || dbl <= 0) {
    std::printf("\n(raw micro-benchmarks filtered out: no ratios)\n");
    return;
  }
  std::printf("\nRaw OpenSSL EC_POINT_mul on P-256, this run:\n");
  std::printf("  fixed-base k·G      %8.2f us  (%8.0f /s)\n", fixed, 1e6 / fixed);
  std::printf("  variable-base k·P   %8.2f us  (%8.0f /s)  ~ openssl speed ecdhp256 op/s\n",
              variable, 1e6 / variable);
  std::printf("  double a·G + b·P    %8.2f us  (%8.0f /s)  ~ openssl speed ecdsap256 verify/s\n",
              dbl, 1e6 / dbl);
  std::printf("\n%-34s %6s %6s %6s %11s %11s %9s %7s %9s\n", "operation", "fixed", "var",
              "double", "needed us", "measured us", "ratio", "dbl-eq", "per s");
  for (const auto& [op, ops] : OpsNeeded()) {
    double measured = 0;
    if (op.rfind("encrypt+prove ", 0) == 0) {
      measured = Find(c, "BM_EncryptAndProve", op.substr(14));
    } else if (op.rfind("verify+K-table ", 0) == 0) {
      measured = Find(c, "BM_VerifyBallotKeyTable", op.substr(15));
    } else if (op.rfind("verify partial", 0) == 0) {
      measured = Find(c, "BM_VerifyPartialDecryption");
    } else if (op.rfind("verify ", 0) == 0) {
      measured = Find(c, "BM_VerifyBallot", op.substr(7));
    }
    if (measured <= 0) continue;
    const double needed = ops.fixed_base * fixed + ops.variable_base * variable +
                          ops.double_base * dbl;
    std::printf("%-34s %6llu %6llu %6llu %11.1f %11.1f %8.2fx %7.1f %9.0f\n", op.c_str(),
                static_cast<unsigned long long>(ops.fixed_base),
                static_cast<unsigned long long>(ops.variable_base),
                static_cast<unsigned long long>(ops.double_base), needed, measured,
                measured / needed, measured / dbl, 1e6 / measured);
  }
  std::printf(
      "\nCPU times. needed us = Σ multiplications × their raw time above; ratio = measured / needed\n"
      "(target for verify: <= 1.5x). dbl-eq = measured time in double multiplications\n"
      "(≈ ECDSA P-256 verifications). verify+K-table uses the joint key's precomputed\n"
      "table (FixedBase): z·K − c·P becomes one double multiplication.\n"
      "Cross-check the raw rates with:\n"
      "  openssl speed -seconds 3 ecdsap256 ecdhp256\n");
}

}  // namespace
}  // namespace phieu::crypto

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  phieu::crypto::Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  phieu::crypto::PrintRatios(collector);
  if (const char* e = std::getenv("PHIEU_BENCH_OPENSSL_SPEED"); e != nullptr && e[0] == '1') {
    std::fflush(stdout);
    std::printf("\n$ openssl speed -seconds 1 ecdsap256 ecdhp256\n");
    std::fflush(stdout);
    if (std::system("openssl speed -seconds 1 ecdsap256 ecdhp256 2>/dev/null | tail -6") != 0) {
      std::printf("(openssl speed failed)\n");
    }
  }
  benchmark::Shutdown();
  return 0;
}
