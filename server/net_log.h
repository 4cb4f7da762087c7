// One-line connection logs of the network layer: connection opened, closed
// and refused, with the peer address, participant id and reason. Never a
// message's contents, a secret or a vote.
//
// Thread-safety: thread-safe (one write(2)-sized line per call).
// Errors: none; a failed write to stderr is ignored.
#ifndef PHIEU_SERVER_NET_LOG_H_
#define PHIEU_SERVER_NET_LOG_H_

#include <string_view>

namespace phieu::server {

// Writes "<UTC time> phieu-server: <line>\n" to stderr unless logging is off.
void NetLog(std::string_view line);

// Turns the log on or off (tests turn it off to keep their output short).
void SetNetLogEnabled(bool enabled);

}  // namespace phieu::server

#endif  // PHIEU_SERVER_NET_LOG_H_
