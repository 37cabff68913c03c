/* exitcodes: the one exit-code table of every tmplkit program (README.md repeats it). */
#ifndef TK_EXITCODES_H
#define TK_EXITCODES_H

enum tk_exit {
    EXIT_OK = 0,        /* done; no error-level finding */
    EXIT_FINDINGS = 1,  /* error-level findings, or a tool refused to act (documented per tool) */
    EXIT_USAGE = 2,     /* bad command line: unknown option, missing or malformed value */
    EXIT_BADINPUT = 3,  /* the input document cannot be processed: not JSON, not the expected kind */
    EXIT_BADRULES = 4,  /* a rule file or schema is malformed */
    EXIT_IO = 5         /* reading or writing failed: missing file, write error, out of memory */
};

#endif
