#include "core/crypto/elgamal.h"

#include <string>

namespace phieu::crypto {

Result<Ciphertext> Encrypt(const Point& K, uint64_t m, const Scalar& r) {
  ASSIGN_OR_RETURN(Point pad, Point::MulGen(r));
  ASSIGN_OR_RETURN(Point data, Point::MulAdd(Scalar::FromUint64(m), K, r));
  return Ciphertext{std::move(pad), std::move(data)};
}

Result<Ciphertext> Add(const Ciphertext& a, const Ciphertext& b) {
  ASSIGN_OR_RETURN(Point pad, a.pad.Add(b.pad));
  ASSIGN_OR_RETURN(Point data, a.data.Add(b.data));
  return Ciphertext{std::move(pad), std::move(data)};
}

Result<Ciphertext> Sub(const Ciphertext& a, const Ciphertext& b) {
  ASSIGN_OR_RETURN(Point pad, a.pad.Sub(b.pad));
  ASSIGN_OR_RETURN(Point data, a.data.Sub(b.data));
  return Ciphertext{std::move(pad), std::move(data)};
}

Result<Ciphertext> ScalarMul(const Ciphertext& c, const Scalar& w) {
  ASSIGN_OR_RETURN(Point pad, c.pad.Mul(w));
  ASSIGN_OR_RETURN(Point data, c.data.Mul(w));
  return Ciphertext{std::move(pad), std::move(data)};
}

Result<Ciphertext> SmallMul(const Ciphertext& c, int64_t k) {
  if (k == 0) return Ciphertext::Zero();
  if (k == 1) return c.Clone();
  if (k == -1) return Sub(Ciphertext::Zero(), c);
  return ScalarMul(c, Scalar::FromInt64(k));
}

Result<Ciphertext> Sum(const std::vector<const Ciphertext*>& cells,
                       const std::vector<int64_t>& coefficients) {
  if (cells.size() != coefficients.size()) {
    return InvalidArgument("sum: " + std::to_string(cells.size()) + " cells but " +
                           std::to_string(coefficients.size()) + " coefficients");
  }
  Ciphertext total = Ciphertext::Zero();
  for (size_t i = 0; i < cells.size(); ++i) {
    const int64_t k = coefficients[i];
    if (k == 0) continue;
    if (k == 1) {
      ASSIGN_OR_RETURN(total, Add(total, *cells[i]));
    } else if (k == -1) {
      ASSIGN_OR_RETURN(total, Sub(total, *cells[i]));
    } else {
      ASSIGN_OR_RETURN(Ciphertext term, ScalarMul(*cells[i], Scalar::FromInt64(k)));
      ASSIGN_OR_RETURN(total, Add(total, term));
    }
  }
  return total;
}

Result<Ciphertext> Sum(const std::vector<Ciphertext>& cells,
                       const std::vector<int64_t>& coefficients) {
  std::vector<const Ciphertext*> ptrs;
  ptrs.reserve(cells.size());
  for (const Ciphertext& c : cells) ptrs.push_back(&c);
  return Sum(ptrs, coefficients);
}

Result<Ciphertext> FromProto(const v1::Ciphertext& proto) {
  Result<Point> pad = Point::Decode(proto.pad());
  if (!pad.ok()) return pad.status().Annotate("ciphertext pad");
  Result<Point> data = Point::Decode(proto.data());
  if (!data.ok()) return data.status().Annotate("ciphertext data");
  return Ciphertext{std::move(pad).value(), std::move(data).value()};
}

Result<v1::Ciphertext> ToProto(const Ciphertext& c) {
  Result<std::string> pad = c.pad.Encode();
  if (!pad.ok()) return pad.status().Annotate("ciphertext pad");
  Result<std::string> data = c.data.Encode();
  if (!data.ok()) return data.status().Annotate("ciphertext data");
  v1::Ciphertext proto;
  proto.set_pad(std::move(pad).value());
  proto.set_data(std::move(data).value());
  return proto;
}

}  // namespace phieu::crypto
