#include "domain/arm_regions.h"
#include "base/ascii.h"
#include "base/oom.h"
#include "rules/embedded.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The regions file args.regions names, or NULL. */
static const embedded_file *regions_file(const json_node *args)
{
    json_node *file = json_get(args, "regions", 7);
    if (!file || file->type != JSON_STRING || file->n >= 200)
        return NULL;
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)file->n, (const char *)file->p);
    return embedded_find(path);
}

bool arm_regions_load(arm_regions *r, const json_node *args)
{
    memset(r, 0, sizeof *r);
    const embedded_file *f = regions_file(args);
    if (!f)
        return false;
    /* One region name per line; '#' starts a comment line. */
    const char *p = f->data, *end = f->data + f->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (e > p && *p != '#') {
            r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
            r->v[r->n++] = xstrndup(p, (size_t)(e - p));
        }
        p = e + 1;
    }
    return true;
}

bool arm_region_known(const arm_regions *r, const char *s, size_t n)
{
    char folded[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof folded; i++)
        if (s[i] != ' ')
            folded[k++] = s[i];
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->v[i]) == k && ascii_ieq(folded, r->v[i], k))
            return true;
    return false;
}

void arm_regions_free(arm_regions *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof *r);
}
