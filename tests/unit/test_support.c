/* Unit tests of the support modules: diag renderers, io, cli, quote, utf8, keyset, arena. */
#include "base/arena.h"
#include "app/cli.h"
#include "base/diag.h"
#include "app/report.h"
#include "base/sha256.h"
#include "base/pos.h"
#include "base/io.h"
#include "json/json.h"
#include "json/keyset.h"
#include "base/oom.h"
#include "base/quote.h"
#include "base/utf8.h"
#include "unit.h"
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *render(const diag_list *d, int form)
{
    buf b = BUF_INIT;
    out *o = xmalloc(sizeof *o);
    out_init_mem(o, &b);
    static const diag_rule cat[] = {{"r1", "rule one", "fix it"}};
    if (form == 0)
        diag_render_text(d, "prog", o);
    else if (form == 1)
        diag_render_json(d, "prog", NULL, o);
    else
        diag_render_sarif(d, "prog", "1.0", cat, 1, o);
    out_flush(o);
    free(o);
    return buf_detach(&b, NULL);
}

static void test_diag(void)
{
    const char *src = "{\n  \"a\": 1\n}";
    diag_list d = {0};
    diag_add(&d, SEV_ERROR, "r1", "f.json", 4, 4, "bad '%s'", "a");
    diag_add(&d, SEV_WARNING, "r2", "my file.json", (size_t)-1, (size_t)-1, "whole file");
    diag_resolve(&d, 0, src, strlen(src));
    char *t = render(&d, 0);
    CHECK_STR(t, "prog: f.json:2:3: error: bad 'a' [r1]\nprog: my file.json: warning: whole file [r2]\n");
    free(t);
    t = render(&d, 1);
    CHECK(strstr(t, "\"line\": 2, \"column\": 3") && strstr(t, "\"summary\": {\"errors\": 1, \"warnings\": 1, \"notes\": 0}"));
    free(t);
    t = render(&d, 2);
    CHECK(strstr(t, "\"version\": \"2.1.0\""));
    CHECK(strstr(t, "{\"id\": \"r1\", \"shortDescription\": {\"text\": \"rule one\"}, \"fullDescription\": {\"text\": "
                    "\"fix it\"}, \"help\": {\"text\": \"fix it\"}}"));
    CHECK(strstr(t, "{\"id\": \"r2\", \"shortDescription\": {\"text\": \"r2\"}"));
    CHECK(strstr(t, "\"uri\": \"my%20file.json\", \"uriBaseId\": \"%SRCROOT%\"}, \"region\": {\"startLine\": 1, "
                    "\"startColumn\": 1}"));
    CHECK(strstr(t, "\"partialFingerprints\": {\"tmplkitFinding/v1\": \""));
    CHECK(strstr(t, "\"ruleId\": \"r1\", \"ruleIndex\": 0, \"level\": \"error\", \"message\": {\"text\": \"bad 'a'\"}"));
    free(t);
    diag_free(&d);
}

/* Identical findings (severity, rule, file, position, message) are said once, in order;
 * 20,000 findings with 10,000 repeats dedupe in one pass (the old nested loop took 10^8
 * comparisons here). */
static void test_diag_dedupe(void)
{
    diag_list d = {0};
    diag_add(&d, SEV_ERROR, "r", "f", 1, 1, "m");
    diag_add(&d, SEV_ERROR, "r", "f", 2, 2, "m");       /* another position */
    diag_add(&d, SEV_ERROR, "r", "f", 1, 1, "m");       /* repeat of the first */
    diag_add(&d, SEV_WARNING, "r", "f", 1, 1, "m");     /* another severity */
    diag_add(&d, SEV_ERROR, "r", "g", 1, 1, "m");       /* another file */
    diag_add(&d, SEV_ERROR, "r", "f", 1, 1, "m2");      /* another message */
    diag_add(&d, SEV_ERROR, "r2", "f", 1, 1, "m");      /* another rule */
    diag_add(&d, SEV_ERROR, "r", "f", 2, 2, "m");       /* repeat of the second */
    diag_dedupe(&d, 0);
    CHECK(d.n == 6);
    CHECK(d.count[SEV_ERROR] == 5 && d.count[SEV_WARNING] == 1);
    CHECK(d.v[0].start == 1 && d.v[1].start == 2 && d.v[2].sev == SEV_WARNING && !strcmp(d.v[3].file, "g") &&
          !strcmp(d.v[4].message, "m2") && !strcmp(d.v[5].rule, "r2"));
    /* only the range from 'from' on is deduplicated */
    diag_add(&d, SEV_ERROR, "r", "f", 1, 1, "m");
    diag_dedupe(&d, 6);
    CHECK(d.n == 7);
    diag_free(&d);
    for (size_t i = 0; i < 20000; i++)
        diag_add(&d, SEV_NOTE, "r", "f", i % 10000, i % 10000, "n %zu", i % 10000);
    diag_dedupe(&d, 0);
    CHECK(d.n == 10000 && d.count[SEV_NOTE] == 10000 && d.v[9999].start == 9999);
    diag_free(&d);
}

static void test_quote(void)
{
    buf b = BUF_INIT;
    quote_into(&b, "a\nb\x1b\xff\xc3\xa9'", 8, 100);
    CHECK_STR(b.data, "a\\nb\\x1b\\xff\xc3\xa9\\'");
    buf_clear(&b);
    quote_into(&b, "abcdef", 6, 3);
    CHECK_STR(b.data, "abc...");
    buf_free(&b);
}

static void test_utf8(void)
{
    uint32_t cp;
    CHECK(utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp) == 2 && cp == 0xE9);
    CHECK(utf8_decode((const unsigned char *)"\xc0\xaf", 2, &cp) == 0);        /* overlong */
    CHECK(utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &cp) == 0);    /* surrogate */
    CHECK(utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp) == 0); /* > U+10FFFF */
    CHECK(utf8_check("ok\xe2\x82", 5) == 2);
    CHECK(utf8_count("h\xc3\xa9llo", 6) == 5);
}

static void test_cli(void)
{
    long long v;
    CHECK(cli_number("42", 0, 100, &v) && v == 42);
    CHECK(!cli_number("4x", 0, 100, &v) && !cli_number("", 0, 100, &v) && !cli_number("101", 0, 100, &v));
    CHECK(!cli_number("+5", 0, 100, &v) && !cli_number(" 5", 0, 100, &v));
    char *argv[] = {"t", "-qD", "a=b", "--indent=4", "--", "-x", NULL};
    cli_spec spec = {"t", "", "", CO_ALL, NULL, NULL, NULL, NULL};
    cli_common c;
    CHECK(cli_parse(&spec, 6, argv, &c) == -1);
    CHECK(c.quiet && c.nvars == 1 && !strcmp(c.vars[0].value, "b") && c.indent == 4 && c.indent_set);
    CHECK(c.noperands == 1 && !strcmp(c.operands[0], "-x"));
    cli_free(&c);
}

static void test_io(void)
{
    char dir[] = "/tmp/tk-unit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/f.json", dir);
    FILE *f = fopen(path, "w");
    fputs("old", f);
    fclose(f);
    chmod(path, 0600);
    io_atomic a;
    CHECK(io_atomic_open(&a, path) == 0);
    CHECK(write(a.fd, "new", 3) == 3);
    io_atomic_abort(&a);
    buf b = BUF_INIT;
    CHECK(io_read_all(path, &b) == 0 && !strcmp(b.data, "old"));
    CHECK(io_atomic_open(&a, path) == 0);
    CHECK(write(a.fd, "new", 3) == 3);
    CHECK(io_atomic_commit(&a) == 0);
    buf_clear(&b);
    CHECK(io_read_all(path, &b) == 0 && !strcmp(b.data, "new"));
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    io_input in;
    CHECK(io_input_open(&in, path) == 0 && in.len == 3 && !memcmp(in.data, "new", 3));
    io_input_close(&in);
    CHECK(io_input_open(&in, dir) != 0);
    io_input_close(&in);
    buf_free(&b);
    unlink(path);
    rmdir(dir);
}

static void test_keyset(void)
{
    keyset ks;
    keyset_init(&ks, true);
    keyset_push(&ks);
    char names[40][8];
    int dups = 0;
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], i < 30 ? "k%d" : "K%d", i % 30);
        if (keyset_add(&ks, names[i], strlen(names[i]), (size_t)i))
            dups++;
    }
    CHECK(dups == 10);
    keyset_push(&ks);
    CHECK(keyset_add(&ks, "k1", 2, 100) == NULL);    /* a nested object is a new scope */
    keyset_pop(&ks);
    const keyrec *r = keyset_add(&ks, "k5", 2, 200);
    CHECK(r && r->at == 5);
    keyset_free(&ks);
}

static void test_arena(void)
{
    arena a;
    arena_init(&a);
    char *big = arena_alloc(&a, 20 << 20);
    big[(20 << 20) - 1] = 1;
    char *s = arena_strndup(&a, "abc", 2);
    CHECK_STR(s, "ab");
    CHECK(((size_t)arena_alloc(&a, 3) % sizeof(void *)) == 0);
    arena_free(&a);
    CHECK(a.head == NULL);
}

/* FIPS 180-4 examples and a message longer than a block, split across calls. */
static void test_sha256(void)
{
    char hex[65];
    sha256 s;
    sha256_init(&s);
    sha256_hex(&s, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_init(&s);
    sha256_add(&s, "abc", 3);
    sha256_hex(&s, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_init(&s);
    for (const char *p = two; *p; p++)
        sha256_add(&s, p, 1);
    sha256_hex(&s, hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha256_init(&s);
    char hundred[100];
    memset(hundred, 'a', sizeof hundred);
    for (int i = 0; i < 10000; i++)     /* one million 'a' */
        sha256_add(&s, hundred, sizeof hundred);
    sha256_hex(&s, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* A mapped input truncated while it is read ends the program with exit 5 (issue 10,
 * point 3), not a crash by SIGBUS. */
static void test_truncated_input(void)
{
    char path[] = "/tmp/tmplkit-unit-trunc.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 32; i++)
        CHECK(write(fd, block, sizeof block) == (ssize_t)sizeof block);
    io_input in;
    CHECK(io_input_open(&in, path) == 0 && in.map != NULL);
    CHECK(ftruncate(fd, 0) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);   /* the message is the program's, not the test's */
        volatile char c = in.data[1 << 20];
        (void)c;
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
    io_input_close(&in);
    close(fd);
    unlink(path);
}

/* A signal that ends the program removes what io_leftover named: a scratch directory
 * with files in it under names nobody registered (as a killed child leaves them), and a
 * file; what io_forget dropped stays. */
static void test_leftovers_removed_by_signal(void)
{
    char dir[] = "/tmp/tmplkit-unit-left.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char inner[64], other[64], kept[64];
    snprintf(inner, sizeof inner, "%s/data1234", dir);
    snprintf(other, sizeof other, "%s.file", dir);
    snprintf(kept, sizeof kept, "%s.kept", dir);
    const char *made[] = {inner, other, kept};
    for (size_t i = 0; i < 3; i++) {
        int fd = open(made[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1);
        close(fd);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        io_leftover(dir);
        io_leftover(other);
        io_leftover(kept);
        io_forget(kept);
        raise(SIGTERM);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    CHECK(access(dir, F_OK) != 0 && access(other, F_OK) != 0);
    CHECK(access(kept, F_OK) == 0);
    unlink(inner), unlink(other), unlink(kept), rmdir(dir);
}

/* pos_of_many gives what pos_of gives, on long lines, many lines and multibyte text. */
static void test_pos_many(void)
{
    static char text[20000];
    size_t n = 0;
    for (int i = 0; n + 8 < sizeof text; i++) {
        const char *piece = i % 7 == 0 ? "\n" : i % 5 == 0 ? "\xc3\xa9" : i % 3 == 0 ? "\xe2\x82\xac" : "ab";
        size_t k = strlen(piece);
        memcpy(text + n, piece, k);
        n += k;
    }
    size_t offs[500];
    for (size_t i = 0; i < 500; i++)
        offs[i] = i * (n / 500);
    pos got[500];
    pos_of_many(text, n, offs, 500, got);
    size_t bad = 0;
    for (size_t i = 0; i < 500; i++) {
        pos want = pos_of(text, n, offs[i]);
        bad += want.line != got[i].line || want.col != got[i].col;
    }
    CHECK(bad == 0);
}

int main(void)
{
    test_diag();
    test_diag_dedupe();
    test_quote();
    test_utf8();
    test_cli();
    test_io();
    test_keyset();
    test_arena();
    test_sha256();
    test_truncated_input();
    test_leftovers_removed_by_signal();
    test_pos_many();
    return unit_summary("unit support");
}
