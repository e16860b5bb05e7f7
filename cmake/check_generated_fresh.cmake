# CTest `generated_is_fresh`: regenerates both codec styles into a scratch
# tree laid out like generated/ (flat style and famqp_spec.h at the top,
# table style without the header in table/, the Python extension's
# conversions in python/) and fails when the result differs in any way
# from the checked-in generated/, subdirectories included.
# Inputs: FAMQP_GEN, OUT_DIR, GENERATED_DIR, INPUTS (|-list).
foreach(var FAMQP_GEN OUT_DIR GENERATED_DIR INPUTS)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "check_generated_fresh.cmake: ${var} not set")
    endif()
endforeach()
string(REPLACE "|" ";" INPUTS "${INPUTS}")

file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}/table" "${OUT_DIR}/python")
# each run: style, output directory, extra options
foreach(run "flat;${OUT_DIR}" "table;${OUT_DIR}/table;--no-header" "flat;${OUT_DIR}/python;--emit;python")
    list(POP_FRONT run style dir)
    execute_process(COMMAND "${FAMQP_GEN}" --out "${dir}" --style ${style} ${run} ${INPUTS}
        RESULT_VARIABLE gen_rc)
    if(NOT gen_rc EQUAL 0)
        message(FATAL_ERROR "famqp-gen --style ${style} failed (${gen_rc})")
    endif()
endforeach()
execute_process(COMMAND diff -ru "${GENERATED_DIR}" "${OUT_DIR}"
    RESULT_VARIABLE diff_rc OUTPUT_VARIABLE diff_out ERROR_VARIABLE diff_out)
if(NOT diff_rc EQUAL 0)
    message("${diff_out}")
    message(FATAL_ERROR "generated/ is stale: it differs from what famqp-gen makes of the "
                        "current spec inputs (diff above). Run `cmake --build <dir> --target regen` "
                        "and commit the result.")
endif()
message(STATUS "generated/, generated/table/ and generated/python/ match famqp-gen output")
