# CTest tests of the VS Code extension, included at the end of tests/CMakeLists.txt:
#   vscode.unit  Mocha unit tests (npm test)                                   label vscode
#   vscode.e2e   a real VS Code (code-server + chromium) with the real server
#                and Julia, through the UI (test/e2e/run.mjs)                  labels vscode, e2e
#   vscode.e2e_julia_repl  the same, for the Julia extension's REPL (a stand-in of that
#                extension, julia.additionalArgs, a real Julia and build; test/e2e/juliaRepl.mjs)
# Both need vscode-extension/scripts/setup.sh to have run (npm ci, code-server). Without node they
# are reported as skipped, with the reason.
find_program(NODE_EXECUTABLE node)
find_program(NPM_EXECUTABLE npm)
set(_vscode_dir ${CMAKE_CURRENT_LIST_DIR})

if(NODE_EXECUTABLE AND NPM_EXECUTABLE)
  add_test(NAME vscode.unit COMMAND ${NPM_EXECUTABLE} test WORKING_DIRECTORY ${_vscode_dir})
  add_test(NAME vscode.e2e
    COMMAND ${NODE_EXECUTABLE} ${_vscode_dir}/test/e2e/run.mjs $<TARGET_FILE:sysimage-server>
    WORKING_DIRECTORY ${_vscode_dir})
  set_tests_properties(vscode.e2e PROPERTIES ENVIRONMENT "E2E_ONLY=main,restricted")
  add_test(NAME vscode.e2e_julia_repl
    COMMAND ${NODE_EXECUTABLE} ${_vscode_dir}/test/e2e/run.mjs $<TARGET_FILE:sysimage-server>
    WORKING_DIRECTORY ${_vscode_dir})
  set_tests_properties(vscode.e2e_julia_repl PROPERTIES ENVIRONMENT "E2E_ONLY=julia-repl")
else()
  set(_why "node/npm not found: install nodejs and npm, then run vscode-extension/scripts/setup.sh")
  message(STATUS "vscode.unit, vscode.e2e will be skipped: ${_why}")
  foreach(_t vscode.unit vscode.e2e vscode.e2e_julia_repl)
    add_test(NAME ${_t} COMMAND /bin/sh -c "echo '${_t} skipped: ${_why}'; exit 77")
    set_tests_properties(${_t} PROPERTIES SKIP_RETURN_CODE 77)
  endforeach()
endif()
set_tests_properties(vscode.unit PROPERTIES LABELS vscode TIMEOUT 300)
set_tests_properties(vscode.e2e vscode.e2e_julia_repl PROPERTIES LABELS "vscode;e2e" TIMEOUT 900 RUN_SERIAL TRUE)
