// The page's files (client/app/web/*), embedded in the binary at build time
// by cmake/embed_web.cmake: `phieu app` serves them and fetches nothing else.
#ifndef PHIEU_CLIENT_APP_WEB_ASSETS_H_
#define PHIEU_CLIENT_APP_WEB_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace phieu::client::app {

struct WebAsset {
  std::string_view path;          // "/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view data;
};

// The file served at `path` ("/" is "/index.html"), or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace phieu::client::app

#endif  // PHIEU_CLIENT_APP_WEB_ASSETS_H_
