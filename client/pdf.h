// Printing the HTML counting minutes to PDF with Debian's Chromium, headless
// (`phieu result BALLOT --pdf FILE`). Chromium runs as a child process with
// a throw-away profile directory, no network features and no sandbox (it may
// run as root on the chair's laptop); nothing is fetched: the page is
// self-contained.
//
// Errors: FailedPrecondition naming the Debian package when /usr/bin/chromium
// is missing; Unavailable when Chromium fails, times out (120 s) or writes
// something that is not a PDF (its own messages are quoted).
// Thread-safety: spawns a process; call from one thread.
#ifndef PHIEU_CLIENT_PDF_H_
#define PHIEU_CLIENT_PDF_H_

#include <string>

#include "core/util/status.h"

namespace phieu::client {

inline constexpr char kChromium[] = "/usr/bin/chromium";

Status PrintHtmlToPdf(const std::string& html, const std::string& pdf_path);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_PDF_H_
