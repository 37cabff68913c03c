/* gen_mender: writes N mender.conf cases for the differential test against the real Mender
 * client (tests/differential/run.sh). Deterministic from SEED: case I is made from the
 * seed SEED + I alone, so any case can be made again by itself.
 *
 *   gen_mender SEED FIRST COUNT OUTDIR
 *
 * writes OUTDIR/cI.conf for I in [FIRST, FIRST+COUNT), and OUTDIR/cI.fb beside it when the
 * case is a --fallback pair (the fallback file). The grammar covers the options the Go
 * client (3.x) knows and the C++ client (4.x) reads: names in every case, every JSON type
 * for every option, integers as 1, 1.0, 1e3, "5", out of range, duplicates, BOM, trailing
 * commas, comments, Servers in every shape, nested objects with unknown members. A fifth of
 * the cases are mutations of a valid base config (one change each), the rest are drawn
 * from the grammar. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static unsigned pick(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)((rng >> 11) % n);
}

typedef enum kind { K_STRING, K_BOOL, K_INT, K_OBJECT, K_STRINGS, K_SERVERS, K_URL } kind;

typedef struct option {
    const char *name;
    kind k;
    const char *const *members;     /* K_OBJECT: known members, NULL-ended */
} option;

static const char *const https_members[] = {"Certificate", "Key", "SSLEngine", NULL};
static const char *const security_members[] = {"AuthPrivateKey", "SSLEngine", NULL};
static const char *const connectivity_members[] = {"DisableKeepAlive", "IdleConnTimeoutSeconds", NULL};
static const char *const dbus_members[] = {"Enabled", NULL};

static const option options[] = {
    {"ArtifactVerifyKey", K_STRING, NULL},
    {"ArtifactVerifyKeys", K_STRINGS, NULL},
    {"HttpsClient", K_OBJECT, https_members},
    {"Security", K_OBJECT, security_members},
    {"Connectivity", K_OBJECT, connectivity_members},
    {"DBus", K_OBJECT, dbus_members},
    {"RootfsPartA", K_STRING, NULL},
    {"RootfsPartB", K_STRING, NULL},
    {"BootUtilitiesSetActivePart", K_STRING, NULL},
    {"BootUtilitiesGetNextActivePart", K_STRING, NULL},
    {"DeviceTypeFile", K_STRING, NULL},
    {"UpdateControlMapExpirationTimeSeconds", K_INT, NULL},
    {"UpdateControlMapBootExpirationTimeSeconds", K_INT, NULL},
    {"UpdatePollIntervalSeconds", K_INT, NULL},
    {"InventoryPollIntervalSeconds", K_INT, NULL},
    {"SkipVerify", K_BOOL, NULL},
    {"RetryPollIntervalSeconds", K_INT, NULL},
    {"RetryPollCount", K_INT, NULL},
    {"StateScriptTimeoutSeconds", K_INT, NULL},
    {"StateScriptRetryTimeoutSeconds", K_INT, NULL},
    {"StateScriptRetryIntervalSeconds", K_INT, NULL},
    {"ModuleTimeoutSeconds", K_INT, NULL},
    {"ServerCertificate", K_STRING, NULL},
    {"ServerURL", K_URL, NULL},
    {"UpdateLogPath", K_STRING, NULL},
    {"TenantToken", K_STRING, NULL},
    {"Servers", K_SERVERS, NULL},
    {"DaemonLogLevel", K_STRING, NULL},
    {"DeviceTier", K_STRING, NULL},
    {"RetryDownloadCount", K_INT, NULL},
    {"UpdateControlMapPollIntervalSeconds", K_INT, NULL},
    {"ClientProtocol", K_STRING, NULL},
};
#define NOPTIONS (sizeof options / sizeof *options)

typedef struct out {
    char buf[8192];
    size_t n;
} out;

static void put(out *o, const char *s)
{
    size_t k = strlen(s);
    if (o->n + k < sizeof o->buf)
        memcpy(o->buf + o->n, s, k), o->n += k;
    o->buf[o->n] = '\0';
}

/* The name in canonical case mostly, else lower, upper or one letter flipped. */
static void name_in_some_case(out *o, const char *name)
{
    char s[64];
    snprintf(s, sizeof s, "%s", name);
    unsigned how = pick(10);
    for (size_t i = 0; s[i]; i++) {
        if (how == 7)
            s[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
        else if (how == 8)
            s[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    }
    if (how == 9 && s[0]) {
        size_t i = pick((unsigned)strlen(s));
        s[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    }
    put(o, "\"");
    put(o, s);
    put(o, "\"");
}

static const char *const urls[] = {"\"https://hosted.mender.io\"", "\"https://eu.hosted.mender.io/\"",
                                   "\"http://mender.local\"", "\"HTTPS://hosted.mender.io\"",
                                   "\"https://u:pw@hosted.mender.io\"", "\"https://hosted.mender.io:443\"",
                                   "\"https://hosted.mender.io:99999\"", "\"hosted.mender.io\"", "\"\""};

static void any_value(out *o, int depth);

static void integer(out *o)
{
    static const char *const v[] = {"0", "5", "1800", "-1", "1.0", "1e3", "1.5", "\"5\"", "true", "null",
                                    "2147483647", "2147483648", "-2147483649", "3000000000", "9223372036854775808",
                                    "1E2", "-0", "0.0"};
    put(o, v[pick(sizeof v / sizeof *v)]);
}

static void string_value(out *o)
{
    static const char *const v[] = {"\"/etc/mender/key.pem\"", "\"\"", "\"standard\"", "\"debug\"", "\"micro\"",
                                    "\"info\"", "\"x\"", "\"Paste your Hosted Mender token here\""};
    put(o, v[pick(sizeof v / sizeof *v)]);
}

static void object_value(out *o, const char *const *members, int depth)
{
    put(o, "{");
    unsigned n = pick(4);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            put(o, ", ");
        unsigned m = 0;
        while (members && members[m])
            m++;
        if (members && m && pick(5)) {
            const char *name = members[pick(m)];
            name_in_some_case(o, name);
            put(o, ": ");
            if (!strcmp(name, "DisableKeepAlive") || !strcmp(name, "Enabled"))
                pick(4) ? put(o, pick(2) ? "true" : "false") : any_value(o, depth + 1);
            else if (!strcmp(name, "IdleConnTimeoutSeconds"))
                pick(4) ? integer(o) : any_value(o, depth + 1);
            else
                pick(4) ? string_value(o) : any_value(o, depth + 1);
        } else {
            put(o, pick(2) ? "\"Cert\": " : "\"Unknown\": ");
            any_value(o, depth + 1);
        }
    }
    put(o, "}");
}

static void servers_value(out *o)
{
    switch (pick(8)) {
    case 0: put(o, "[]"); return;
    case 1: put(o, "null"); return;
    case 2: put(o, "\"https://hosted.mender.io\""); return;
    case 3: put(o, "[1]"); return;
    default: break;
    }
    put(o, "[");
    unsigned n = 1 + pick(3);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            put(o, ", ");
        unsigned shape = pick(10);
        if (shape == 0) {
            put(o, "{}");
        } else if (shape == 1) {
            put(o, "{\"ServerURL\": null}");
        } else if (shape == 2) {
            put(o, "{\"ServerURL\": 5}");
        } else {
            put(o, "{");
            name_in_some_case(o, "ServerURL");
            put(o, ": ");
            put(o, urls[pick(sizeof urls / sizeof *urls)]);
            if (pick(6) == 0)
                put(o, ", \"Extra\": 1");
            put(o, "}");
        }
    }
    put(o, "]");
}

static void any_value(out *o, int depth)
{
    switch (pick(depth > 1 ? 5 : 7)) {
    case 0: put(o, "null"); return;
    case 1: put(o, pick(2) ? "true" : "false"); return;
    case 2: integer(o); return;
    case 3: string_value(o); return;
    case 4: put(o, "\"https://hosted.mender.io\""); return;
    case 5: put(o, "[\"a\", 1]"); return;
    default: object_value(o, NULL, depth); return;
    }
}

static void option_value(out *o, const option *op)
{
    if (pick(6) == 0) {     /* another type than the option's */
        any_value(o, 1);
        return;
    }
    switch (op->k) {
    case K_STRING: string_value(o); return;
    case K_BOOL: put(o, pick(2) ? "true" : "false"); return;
    case K_INT: integer(o); return;
    case K_OBJECT: object_value(o, op->members, 1); return;
    case K_STRINGS: put(o, pick(2) ? "[\"/etc/mender/a.pem\", \"/etc/mender/b.pem\"]" : "[]"); return;
    case K_SERVERS: servers_value(o); return;
    case K_URL: put(o, urls[pick(sizeof urls / sizeof *urls)]); return;
    }
}

/* A config from the grammar: a few options, some repeated in another case. */
static void grammar_config(out *o, bool with_server)
{
    put(o, "{");
    unsigned n = 1 + pick(6);
    bool first = true;
    if (with_server) {
        put(o, pick(2) ? "\"ServerURL\": \"https://hosted.mender.io\"" : "\"Servers\": [{\"ServerURL\": \"https://hosted.mender.io\"}]");
        first = false;
    }
    for (unsigned i = 0; i < n; i++) {
        const option *op = &options[pick(NOPTIONS)];
        unsigned times = pick(10) == 0 ? 2 : 1;
        for (unsigned t = 0; t < times; t++) {
            if (!first)
                put(o, ", ");
            first = false;
            if (pick(30) == 0)
                put(o, "\"NoSuchOption\"");
            else
                name_in_some_case(o, op->name);
            put(o, ": ");
            option_value(o, op);
        }
    }
    put(o, "}");
}

/* One change to a valid base config. */
static void mutated_config(out *o)
{
    static const char *const base_members[] = {
        "\"ServerURL\": \"https://hosted.mender.io\"", "\"TenantToken\": \"eyJhbGciOiJSUzI1NiJ9\"",
        "\"UpdatePollIntervalSeconds\": 1800", "\"InventoryPollIntervalSeconds\": 28800",
        "\"RetryPollIntervalSeconds\": 300", "\"RootfsPartA\": \"/dev/mmcblk0p2\"",
        "\"RootfsPartB\": \"/dev/mmcblk0p3\"", "\"HttpsClient\": {}", "\"Security\": {}"};
    unsigned nb = sizeof base_members / sizeof *base_members;
    unsigned change = pick(nb), how = pick(4);
    put(o, "{");
    for (unsigned i = 0; i < nb; i++) {
        if (i)
            put(o, ", ");
        if (i != change) {
            put(o, base_members[i]);
            continue;
        }
        const char *colon = strchr(base_members[i], ':');
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(colon - base_members[i] - 2), base_members[i] + 1);
        if (how == 0) {         /* another value */
            name_in_some_case(o, name);
            put(o, ": ");
            any_value(o, 1);
        } else if (how == 1) {  /* another spelling, and the original again */
            name_in_some_case(o, name);
            put(o, ": ");
            any_value(o, 1);
            put(o, ", ");
            put(o, base_members[i]);
        } else if (how == 2) {  /* a ServerURL beside Servers */
            put(o, base_members[i]);
            put(o, ", \"Servers\": ");
            servers_value(o);
        } else {
            put(o, base_members[i]);
        }
    }
    put(o, "}");
}

/* Writes o to path, with syntax the Go client refuses now and then; false when the file
 * cannot be created. */
static bool save_with_syntax(const char *path, const out *o)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    unsigned s = pick(40);
    if (s == 0)
        fputs("\xEF\xBB\xBF", f);
    if (s == 1 && o->n > 1) {
        fwrite(o->buf, 1, o->n - 1, f);
        fputs(", }", f);
    } else if (s == 2) {
        fputs("// comment\n", f);
        fwrite(o->buf, 1, o->n, f);
    } else if (s == 3 && o->n > 2) {
        fwrite(o->buf, 1, o->n / 2, f);    /* truncated */
    } else {
        fwrite(o->buf, 1, o->n, f);
    }
    if (pick(3))
        fputs("\n", f);
    fclose(f);
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gen_mender SEED FIRST COUNT OUTDIR\n");
        return 2;
    }
    unsigned long long seed = strtoull(argv[1], NULL, 10);
    unsigned long first = strtoul(argv[2], NULL, 10), count = strtoul(argv[3], NULL, 10);
    for (unsigned long i = first; i < first + count; i++) {
        rng = (seed + i) * 0x9E3779B97F4A7C15ull + 1;
        for (int k = 0; k < 4; k++)
            pick(2);
        char path[512];
        bool pair = pick(8) == 0;
        if (pair) {
            out fb = {{0}, 0};
            grammar_config(&fb, pick(2));
            snprintf(path, sizeof path, "%s/c%lu.fb", argv[4], i);
            if (!save_with_syntax(path, &fb))
                return 1;
        }
        out o = {{0}, 0};
        if (pick(5) == 0)
            mutated_config(&o);
        else
            grammar_config(&o, pick(3) != 0);
        snprintf(path, sizeof path, "%s/c%lu.conf", argv[4], i);
        if (!save_with_syntax(path, &o))
            return 1;
    }
    return 0;
}
