# Read by ctest in the TSan build only (tests/CMakeLists.txt adds it to
# TEST_INCLUDE_FILES): every test, and every process a shell test starts
# (phieu-server, phieu), runs with these TSan options.
#   halt_on_error=1  the first report ends the process: a race in a server
#                    that an e2e script only kills at the end still fails
#                    the test (its clients lose the server);
#   second_deadlock_stack=1  both stacks of a lock-order inversion.
# Options already in the environment come last and win (the last one counts).
set(_phieu_tsan "halt_on_error=1 second_deadlock_stack=1")
if(DEFINED ENV{TSAN_OPTIONS})
  set(ENV{TSAN_OPTIONS} "${_phieu_tsan} $ENV{TSAN_OPTIONS}")
else()
  set(ENV{TSAN_OPTIONS} "${_phieu_tsan}")
endif()
