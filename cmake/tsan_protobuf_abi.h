// Force-included into every C++ file of the TSan build (CMakeLists.txt).
//
// Debian's libprotobuf is built without TSan, but protobuf 3.21's map_field.h
// adds two members (seq1_, seq2_) to MapFieldBase when __SANITIZE_THREAD__ is
// defined. A TSan-built file that includes it would then disagree with the
// library about where MapFieldBase's members lie: inline map accessors compiled
// here read the library's objects at the wrong offsets (RecordFileTest's
// Struct::fields().contains() crashed in Map::FindHelper). Including
// map_field.h first with the macro hidden gives every file the library's
// layout; its include guard keeps later includes from changing it. Only
// protobuf's own const/mutable map race check is lost, which the library
// itself was built without; our code stays instrumented.
#pragma once
#pragma push_macro("__SANITIZE_THREAD__")
#undef __SANITIZE_THREAD__
#include <google/protobuf/map_field.h>
#pragma pop_macro("__SANITIZE_THREAD__")
