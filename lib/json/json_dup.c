#include "json/json_dup.h"
#include "json/namehash.h"
#include "base/oom.h"
#include "base/ascii.h"
#include <stdlib.h>
#include <string.h>

typedef json_dup_scratch scratch;

/* c folded to lower case when names compare ignoring case. */
static inline unsigned char fold(unsigned char c, bool icase)
{
    return icase ? ascii_lower(c) : c;
}

static bool same_name(const json_node *a, const json_node *b, bool icase)
{
    if (a->key_len != b->key_len)
        return false;
    if (!icase)
        return !a->key_len || (a->key[0] == b->key[0] && !memcmp(a->key, b->key, a->key_len));
    for (uint32_t i = 0; i < a->key_len; i++)
        if (fold((unsigned char)a->key[i], true) != fold((unsigned char)b->key[i], true))
            return false;
    return true;
}

static uint64_t name_hash(const json_node *m, bool icase)
{
    return json_name_hash(m->key, m->key_len, icase);
}

static void check_object(const json_node *obj, bool icase, json_dup_fn fn, void *ctx, scratch *s)
{
    if (obj->n < 2)
        return;
    /* Small objects (the common case) are cheaper to compare pairwise than to hash. */
    if (obj->n <= 8) {
        for (const json_node *m = json_first(obj)->next; m; m = m->next)
            for (const json_node *e = json_first(obj); e != m; e = e->next)
                if (same_name(e, m, icase)) {
                    fn(ctx, m, e);
                    break;
                }
        return;
    }
    size_t cap = 16;
    while (cap < (size_t)obj->n * 2)
        cap *= 2;
    if (s->cap < cap) {
        free(s->slots);
        s->slots = xmalloc(cap * sizeof *s->slots);
        s->cap = cap;
    }
    memset(s->slots, 0, cap * sizeof *s->slots);
    for (const json_node *m = json_first(obj); m; m = m->next) {
        size_t i = (size_t)name_hash(m, icase) & (cap - 1);
        for (;; i = (i + 1) & (cap - 1)) {
            if (!s->slots[i]) {
                s->slots[i] = m;
                break;
            }
            if (same_name(s->slots[i], m, icase)) {
                fn(ctx, m, s->slots[i]);
                break;
            }
        }
    }
}

/* Could the subtree at n hold a repeated name? Untouched parsed subtrees carry the
 * parser's answer; anything edited or made since must be looked at. */
static bool may_repeat(const json_node *n, bool icase)
{
    return icase || n->start == JSON_NOPOS || (n->flags & (JF_DUPS | JF_DUPS_BELOW | JF_SYNTH | JF_MOVED)) ||
           (n->marks & (JM_NAMES_CHANGED | JM_NAMES_BELOW));
}

static void walk(const json_node *n, bool icase, json_dup_fn fn, void *ctx, scratch *s)
{
    if ((n->type != JSON_OBJECT && n->type != JSON_ARRAY) || ((n->marks & JM_PACKED) && !icase))
        return;     /* packed: no object in it has a name twice, byte for byte */
    if (n->type == JSON_OBJECT && (icase || n->start == JSON_NOPOS || (n->flags & (JF_DUPS | JF_SYNTH | JF_MOVED)) ||
                                   (n->marks & JM_NAMES_CHANGED)))
        check_object(n, icase, fn, ctx, s);
    for (const json_node *k = json_first(n); k; k = k->next)
        if ((k->type == JSON_OBJECT || k->type == JSON_ARRAY) && may_repeat(k, icase))
            walk(k, icase, fn, ctx, s);
}

void json_find_duplicates(const json_node *root, bool icase, json_dup_fn fn, void *ctx)
{
    scratch s = {NULL, 0};
    if (root && may_repeat(root, icase))
        walk(root, icase, fn, ctx, &s);
    free(s.slots);
}

/* Records that some name repeats (json_object_repeats' callback). */
static void note_repeat(void *ctx, const json_node *dup, const json_node *first)
{
    (void)dup, (void)first;
    *(bool *)ctx = true;
}

bool json_object_repeats(const json_node *obj, bool icase, json_dup_scratch *s)
{
    bool repeats = false;
    check_object(obj, icase, note_repeat, &repeats, s);
    return repeats;
}

void json_dup_scratch_free(json_dup_scratch *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = 0;
}
