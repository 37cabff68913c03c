/* arm_regions: the Azure region names a build knows (a rules/ file, one name a line). */
#ifndef TK_ARM_REGIONS_H
#define TK_ARM_REGIONS_H
#include "json/json.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct arm_regions {
    char **v;
    size_t n;
} arm_regions;

/* Loads the compiled-in file args.regions names ("rules/azure-regions.txt"); returns
 * false when args names none this build carries. */
bool arm_regions_load(arm_regions *r, const json_node *args);

/* True when name[0..len) is a known region, compared ignoring case and spaces ("West
 * Europe" is westeurope). */
bool arm_region_known(const arm_regions *r, const char *name, size_t len);

/* Frees the list. */
void arm_regions_free(arm_regions *r);

#endif
