# Shared build helpers. Every folder with a CMakeLists.txt under drivers/, kiosk/, tests/<kind>/
# is picked up automatically, so parallel work never has to edit a shared list.

# add_subdirectory for every direct child of DIR that has a CMakeLists.txt (sorted, deterministic).
# Folders named after LAST are added after the others (executables that probe which libraries exist).
function(kiosk_add_subdirs dir)
  cmake_parse_arguments(A "" "" "LAST" ${ARGN})
  file(GLOB children RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/${dir} ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*)
  list(SORT children)
  foreach(last ${A_LAST})
    if(last IN_LIST children)
      list(REMOVE_ITEM children ${last})
      list(APPEND children ${last})
    endif()
  endforeach()
  foreach(child ${children})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/${child}/CMakeLists.txt)
      add_subdirectory(${dir}/${child})
    endif()
  endforeach()
endfunction()

function(kiosk_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wno-missing-field-initializers)
  if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # In a unity build a .cpp is no longer the main file, so GCC flags its own anonymous-namespace
    # types used as members of its Impl structs (a false alarm for that layout).
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
  if(KIOSK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# kiosk_library(NAME SOURCES ... [DEPS ...] [PUBLIC_DEPS ...])
function(kiosk_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${A_PUBLIC_DEPS} PRIVATE ${A_DEPS})
  target_compile_definitions(${name} PUBLIC KIOSK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  kiosk_warnings(${name})
endfunction()

# kiosk_test(NAME SOURCES ... [DEPS ...] [LABELS ...]): a Catch2 executable registered with CTest.
function(kiosk_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE kiosk_test_main ${A_DEPS})
  kiosk_warnings(${name})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name} --order rand --rng-seed 1 --reporter compact)
  set_tests_properties(${name} PROPERTIES TIMEOUT ${A_TIMEOUT} LABELS "${A_LABELS}"
    ENVIRONMENT "KIOSK_SOURCE_DIR=${PROJECT_SOURCE_DIR};SDL_VIDEODRIVER=offscreen;SDL_AUDIODRIVER=dummy")
endfunction()

# kiosk_fuzzer(NAME SOURCES ... [DEPS ...]): a libFuzzer target under clang+KIOSK_FUZZ; otherwise a
# replay binary run by CTest over tests/fuzz/corpus/NAME (every seed must be handled without a crash).
function(kiosk_fuzzer name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS})
  kiosk_warnings(${name})
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})
  if(KIOSK_FUZZ)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    add_test(NAME ${name}_replay COMMAND ${name} ${corpus})
    set_tests_properties(${name}_replay PROPERTIES TIMEOUT 120 LABELS fuzz)
  endif()
endfunction()
