// A small command-line parser for the `phieu` subcommands: "--name value",
// "--name=value", repeatable options, boolean switches and positionals.
// Unknown options are errors, so a typo never silently changes a vote.
#ifndef PHIEU_CLIENT_ARGS_H_
#define PHIEU_CLIENT_ARGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/util/status.h"

namespace phieu::client {

class Args {
 public:
  // `with_value`: options that take a value; `switches`: boolean options.
  static Result<Args> Parse(const std::vector<std::string>& argv,
                            const std::set<std::string>& with_value,
                            const std::set<std::string>& switches);

  bool Has(const std::string& name) const { return values_.count(name) || switches_.count(name); }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positional_;
};

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_ARGS_H_
