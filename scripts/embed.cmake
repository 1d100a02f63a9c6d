# Turns INPUT into a C file defining `const char sim_default_scenario_json[]`
# (NUL-terminated), so the binary carries the default scenario.
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "/* generated from scenarios/default.json by scripts/embed.cmake */\n"
                     "const char sim_default_scenario_json[] = {\n${bytes}0x00};\n")
