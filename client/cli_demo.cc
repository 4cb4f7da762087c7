// `phieu demo plan MEETING`: prints the scripted plan of a demo meeting for
// examples/demo.sh, one fact per line:
//   chair ID | teller ID | delegate ID UNIT_ID
//   ballot BALLOT_ID
//   vote BALLOT_ID PARTICIPANT_ID CHOICES      (CHOICES: a,b,c or - for blank)
//   expect BALLOT_ID ELECTED                   (ELECTED: a,b or - for none)
// Units without a scripted vote do not vote. Nothing here is used by a real meeting.
#include <iostream>

#include "client/commands.h"
#include "core/meeting/meeting_file.h"
#include "core/meeting/meeting_validator.h"

namespace phieu::client {
namespace {

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s.empty() ? "-" : s;
}

}  // namespace

int RunDemo(const Argv& args) {
  if (args.size() != 2 || args[0] != "plan") {
    std::cerr << "usage: phieu demo plan MEETING_FILE\n";
    return 2;
  }
  auto meeting = meeting::LoadMeetingFile(args[1]);
  if (!meeting.ok()) return Fail(meeting.status());
  if (Status s = meeting::ValidateMeeting(*meeting); !s.ok()) return Fail(s);
  std::map<std::string, std::string> delegate_of;
  for (const auto& p : meeting->participants()) {
    for (int r : p.roles()) {
      if (r == v1::ROLE_CHAIR) std::cout << "chair " << p.id() << "\n";
      if (r == v1::ROLE_DELEGATE) {
        std::cout << "delegate " << p.id() << " " << p.unit_id() << "\n";
        delegate_of[p.unit_id()] = p.id();
      }
    }
  }
  for (const auto& t : meeting->tellers().participant_ids()) std::cout << "teller " << t << "\n";
  for (const auto& b : meeting->ballots()) std::cout << "ballot " << b.id() << "\n";
  for (const auto& v : meeting->demo_votes()) {
    auto it = delegate_of.find(v.unit_id());
    if (it == delegate_of.end()) {
      return Fail(InvalidArgument("demo vote for unit '" + v.unit_id() + "', which has no delegate"));
    }
    std::cout << "vote " << v.ballot_id() << " " << it->second << " " << Join(v.choices()) << "\n";
  }
  for (const auto& e : meeting->demo_expected()) {
    std::cout << "expect " << e.ballot_id() << " " << Join(e.elected()) << "\n";
  }
  return 0;
}

}  // namespace phieu::client
