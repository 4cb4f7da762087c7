// The socket side of `phieu app`: Boost.Beast HTTP/1.1 on 127.0.0.1 only, one
// thread, every request handed to AppService (app_service.h). Each
// connection has a 30 s deadline per read/write, so an idle or half-open
// browser socket never blocks the others.
#ifndef PHIEU_CLIENT_APP_APP_SERVER_H_
#define PHIEU_CLIENT_APP_APP_SERVER_H_

#include <string>
#include <vector>

namespace phieu::client {

// `phieu app [--profile DIR] [--port N] [--no-browser] [--seconds N]`.
int RunApp(const std::vector<std::string>& args);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_APP_APP_SERVER_H_
