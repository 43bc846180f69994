# conveyor_warnings(<target>): the project's warning set, errors with CONVEYOR_WERROR.
function(conveyor_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports Boost.Asio's recycling allocator (aligned_new paired with
    # aligned_delete through its awaitable frame operator delete) as a
    # mismatched new/delete once sanitizers change inlining. It is a false
    # positive in a system header instantiated in our code.
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(CONVEYOR_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
