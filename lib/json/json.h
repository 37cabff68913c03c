/* Layer json (lib/json/): the document tree, its parser and writer; uses base.
 * lib/ is base < json < query < rules < domain < app; a layer includes and links only
 * itself and the layers below it (README.md, "Layout and design"; make check runs
 * tests/check-layers.sh). */
/* json: a strict RFC 8259 document tree that remembers where every node came from.
 *
 * A json_doc owns one arena holding every node.  Nodes point into the caller's
 * input buffer wherever they can (member names and strings without escapes,
 * number text), so the buffer must outlive the document.  Each node records its
 * byte span in that buffer; line and column are computed only when printing
 * (see pos.h).  Edits mark what they touch so the writer can copy untouched
 * subtrees byte for byte.
 */
#ifndef TK_JSON_H
#define TK_JSON_H
#include "base/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum json_type {
    JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT
} json_type;

enum json_flags {
    JF_ESCAPED = 1,      /* string value had escapes: text is a decoded copy */
    JF_KEY_ESCAPED = 2,  /* member name had escapes: key is a decoded copy (see json_key_offset) */
    JF_KEY_NEW = 4,      /* member name was set by an edit: no source text */
    JF_SYNTH = 8,        /* the node's own value was made or replaced by an edit */
    JF_DIRTY = 16,       /* something below this container changed */
    JF_MOVED = 32,       /* source subtree placed somewhere else: re-indent it */
    JF_DUPS = 64,        /* parser: this object repeats a member name */
    JF_DUPS_BELOW = 128  /* parser: some object below this container repeats a name */
};

#define JSON_NOPOS ((size_t)-1)

typedef struct json_node json_node;
/* 64 bytes: a large document costs about twice its size in memory, input included. */
struct json_node {
    json_node *parent, *next;
    json_node *prev;        /* previous sibling; the first child's prev is the last child */
    void *p;                /* arrays, objects: first child; strings: decoded value; numbers: text */
    const char *key;        /* member name, decoded (not NUL-terminated); NULL outside objects */
    size_t start;           /* byte offset in the source; JSON_NOPOS when made by an edit */
    uint32_t span;          /* end - start, or UINT32_MAX when that does not fit (see json_end) */
    uint32_t key_len;
    uint32_t n;             /* arrays, objects: number of children; strings, numbers: text length */
    uint8_t type;           /* json_type */
    uint8_t flags;          /* json_flags */
    uint16_t marks;         /* json_marks: bookkeeping of edits and of users such as the engine */
};

enum json_marks {
    JM_NAMES_CHANGED = 1,   /* an edit added or renamed a member of this object */
    JM_NAMES_BELOW = 2,     /* ... of some object below this container */
    JM_RESHAPED = 4,        /* children were added, removed, renamed or moved in: the writer
                               cannot keep the source text between them */
    JM_USER = 8,            /* bits 3 to 6 are free for callers (cleared by themselves) */
    JM_PACKED = 0x80,       /* an array or object parsed without nodes for its children (p
                               holds the document): json_first makes them when first asked.
                               No name in it has an escape or repeats in its object */
    JM_NAMES_BLOOM = 0xFF00 /* containers: one bit per hash class of every member name below,
                               so a search for a name can skip subtrees without it */
};

/* Returns the bit of JM_NAMES_BLOOM that member name key[0..len) sets. */
static inline uint16_t json_name_bit(const char *key, size_t len)
{
    unsigned h = len ? (unsigned char)key[0] * 31u + (unsigned char)key[len - 1] + (unsigned)len * 7u : 0;
    return (uint16_t)(0x100u << (h & 7));
}

/* Makes the nodes of a packed array or object (JM_PACKED) from its source text; a no-op otherwise.
 * The tree is unchanged in meaning: only memory is spent. */
void json_unpack(json_node *c);

/* Returns the first child of an array or object, or NULL. */
static inline json_node *json_first(const json_node *c)
{
    if (c->marks & JM_PACKED)
        json_unpack((json_node *)c);    /* a cache filled on demand: logically const */
    return (json_node *)c->p;
}

/* Returns the last child of an array or object, or NULL. */
static inline json_node *json_last(const json_node *c)
{
    json_node *first = json_first(c);
    return first ? first->prev : NULL;
}

/* Returns the previous sibling of an attached node, or NULL for the first one. */
static inline json_node *json_prev(const json_node *n)
{
    return n->parent && n->parent->p != n ? n->prev : NULL;
}

/* Returns the number of children of an array or object. */
static inline size_t json_count(const json_node *c)
{
    return c->n;
}

typedef struct json_doc {
    arena mem;
    const char *src;        /* the parsed input; not owned */
    size_t src_len;
    json_node *root;
    bool src_is_json;       /* src is the JSON text of the tree (not YAML): spans may be copied */
    size_t src_split;       /* when src joins two files: where the second starts (else 0) */
    size_t body_start;      /* where the root value starts in src (after leading white space) */
    size_t body_end;        /* where it ends (trailing white space follows) */
    void (*unpack)(struct json_doc *doc, json_node *c);    /* json_unpack's worker (the parser) */
} json_doc;

/* Makes an empty document (root NULL) for building values from scratch. */
json_doc *json_doc_new(void);

/* Frees a document and every node in it in one call; NULL is allowed. */
void json_doc_free(json_doc *doc);

/* Returns the text of a string or number node and its length (not NUL-terminated). */
static inline const char *json_text(const json_node *n, size_t *len)
{
    *len = n->n;
    return (const char *)n->p;
}

/* Returns the byte offset just past a source node (meaningless for nodes made by edits). */
size_t json_end(const json_doc *doc, const json_node *n);

/* Returns the byte offset of a member name's opening quote, or JSON_NOPOS if it was set by an edit. */
size_t json_key_offset(const json_doc *doc, const json_node *member);

/* Returns the offset to report for a node: its key's position for members, else its start
 * (for nodes made by edits, the nearest ancestor's position; 0 if none). */
size_t json_report_offset(const json_doc *doc, const json_node *n);

/* Returns the last member of obj named key (the one JSON clients keep), or NULL. */
json_node *json_get(const json_node *obj, const char *key, size_t len);

/* Returns the last member of obj whose name equals key ignoring ASCII case, or NULL. */
json_node *json_get_icase(const json_node *obj, const char *key, size_t len);

/* Returns element i (0-based) of an array, or NULL when out of range. */
json_node *json_at(const json_node *arr, size_t i);

/* Returns true when the node is a string equal to s[0..len). */
bool json_is_string(const json_node *n, const char *s, size_t len);

/* Returns the name of a JSON type as JSON Schema spells it ("object", "number", ...). */
const char *json_type_name(json_type t);

/* Returns true when a and b are equal JSON values (numbers by exact value, objects as
 * unordered sets of members, last duplicate winning). */
bool json_equal(const json_node *a, const json_node *b);

/* Returns the index of a child in its parent (0-based); O(position). */
size_t json_index_of(const json_node *child);

/* ---- editing: every function marks what it touches so the writer re-emits only that ---- */

/* Makes a detached node of the given type (containers empty, scalars null-text). */
json_node *json_new(json_doc *doc, json_type type);

/* Makes a detached string node holding a copy of s[0..len). */
json_node *json_new_string(json_doc *doc, const char *s, size_t len);

/* Makes a detached number node from text that the caller has checked is a JSON number. */
json_node *json_new_number(json_doc *doc, const char *text, size_t len);

/* Makes a deep copy of n owned by doc (which may differ from n's document). */
json_node *json_clone(json_doc *doc, const json_node *n);

/* Appends child (detached) at the end of container; key is required for objects and copied. */
void json_append(json_doc *doc, json_node *container, const char *key, size_t key_len, json_node *child);

/* Inserts child (detached) into container before `before` (NULL: at the end). */
void json_insert(json_doc *doc, json_node *container, json_node *before, const char *key, size_t key_len,
                 json_node *child);

/* Unlinks n from its parent; n stays allocated and may be inserted elsewhere. */
void json_remove(json_node *n);

/* Puts repl (detached) where old is, keeping old's member name; old becomes detached. */
void json_replace(json_node *old, json_node *repl);

/* How many times, in this thread, json_remove and json_replace have detached a node: a
 * caller holding nodes it found earlier knows they are all still in place while this
 * count has not moved (and must walk up to be sure once it has). */
unsigned long json_detachments(void);

/* Renames a member to a copy of key[0..len). */
void json_rename(json_doc *doc, json_node *member, const char *key, size_t len);

/* Turns n into a string node holding a copy of s[0..len), keeping its place and name. */
void json_set_string(json_doc *doc, json_node *n, const char *s, size_t len);

/* Records that member m's name appears at byte offset off of the source (for documents
 * built from other formats, such as YAML, whose names are not JSON text). */
void json_set_key_offset(json_doc *doc, json_node *m, size_t off);

/* Returns the offset just past the closing quote of the string token starting at pos. */
size_t json_string_token_end(const char *src, size_t len, size_t pos);

/* Returns the offset just past the valid JSON value whose text starts at pos. */
size_t json_value_token_end(const char *src, size_t len, size_t pos);

/* Returns the offset of the first byte at or after pos that is not JSON white space. */
size_t json_space_end(const char *src, size_t len, size_t pos);

/* Returns where the value of the member whose name's quote is at key starts (past the
 * name, the colon and the white space around it), in valid JSON text. */
size_t json_member_value_offset(const char *src, size_t len, size_t key);

/* The node after n in document order within the subtree of top (n itself in it), or NULL
 * after its last node: a walk of any depth without recursion. */
json_node *json_next_within(const json_node *top, const json_node *n);

/* Like json_next_within, but steps over everything below n. */
json_node *json_next_skipping(const json_node *top, const json_node *n);

#endif
