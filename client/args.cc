#include "client/args.h"

namespace phieu::client {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
                         const std::set<std::string>& switches) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      a.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (switches.count(name)) {
      if (inline_value) return InvalidArgument("--" + name + " takes no value");
      a.switches_.insert(name);
    } else if (with_value.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) return InvalidArgument("--" + name + " needs a value");
        value = argv[++i];
      }
      a.values_[name].push_back(value);
    } else {
      return InvalidArgument("unknown option --" + name);
    }
  }
  return a;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace phieu::client
