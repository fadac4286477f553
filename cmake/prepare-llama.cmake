# Prepares llama.cpp's source from node-llama-cpp's git bundle: clone, then apply
# llama_patch/*.patch in order. Nothing is downloaded.
#
# Used by CMakeLists.txt (include) and by scripts/build-peers.js as a script:
#   cmake -DBUNDLE=<gitRelease.bundle> -DDEST=<dir> [-DPATCH_DIR=<dir>] -P cmake/prepare-llama.cmake
# Without PATCH_DIR the source stays pristine (llama.cpp's own tools for parity tests).
# A stamp file records the bundle and patches used, so an unchanged source is not re-cloned.

function(cogito_prepare_llama BUNDLE DEST PATCH_DIR)
  if(NOT EXISTS "${BUNDLE}")
    message(FATAL_ERROR "cogito: llama.cpp source bundle not found at ${BUNDLE} (is node-llama-cpp installed?)")
  endif()
  find_package(Git QUIET)
  if(NOT GIT_FOUND)
    message(FATAL_ERROR "cogito: git is required to unpack llama.cpp's source bundle; install git")
  endif()

  set(patches "")
  if(PATCH_DIR)
    file(GLOB patches "${PATCH_DIR}/*.patch")
    list(SORT patches)
  endif()

  if(NOT CMAKE_SCRIPT_MODE_FILE)
    # a changed patch or bundle re-runs configure, which re-prepares the source
    # (the folder itself too: its timestamp changes when a patch is added or removed)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${patches} "${PATCH_DIR}" "${BUNDLE}")
  endif()

  file(SIZE "${BUNDLE}" bundle_size)
  set(stamp_text "bundle=${BUNDLE}:${bundle_size}\n")
  foreach(p IN LISTS patches)
    file(SHA256 "${p}" h)
    get_filename_component(n "${p}" NAME)
    string(APPEND stamp_text "${n}=${h}\n")
  endforeach()

  set(stamp "${DEST}.stamp")
  if(EXISTS "${stamp}" AND EXISTS "${DEST}/CMakeLists.txt")
    file(READ "${stamp}" old)
    if(old STREQUAL stamp_text)
      return()
    endif()
  endif()

  message(STATUS "cogito: unpacking llama.cpp from ${BUNDLE}")
  file(REMOVE_RECURSE "${DEST}")
  execute_process(COMMAND "${GIT_EXECUTABLE}" clone --quiet "${BUNDLE}" "${DEST}"
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cogito: could not clone llama.cpp from ${BUNDLE}: ${err}")
  endif()

  foreach(p IN LISTS patches)
    get_filename_component(n "${p}" NAME)
    execute_process(COMMAND "${GIT_EXECUTABLE}" apply --whitespace=nowarn "${p}"
                    WORKING_DIRECTORY "${DEST}" RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "cogito: patch ${n} does not apply to the pinned llama.cpp: ${err}\n"
                          "Regenerate it against the llama.cpp tag in node-llama-cpp/llama/llama.cpp.info.json.")
    endif()
    message(STATUS "cogito: applied ${n}")
  endforeach()

  file(WRITE "${stamp}" "${stamp_text}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND NOT CMAKE_PARENT_LIST_FILE)
  if(NOT DEFINED PATCH_DIR)
    set(PATCH_DIR "")
  endif()
  cogito_prepare_llama("${BUNDLE}" "${DEST}" "${PATCH_DIR}")
endif()
