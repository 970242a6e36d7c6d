/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* elf: reading ELF images (elf.c). Not installed; not named elf.h, which would hide the system <elf.h> (lib/ is on the include path). */
#ifndef BTFC_ELF_INT_H
#define BTFC_ELF_INT_H

#include <gelf.h>

#include "internal.h"

/* The @size-byte unsigned number at @p, big-endian when @msb. */
uint64_t btfci_elf_rd(const uint8_t *p, unsigned size, bool msb);
/*
 * Check that the ELF header, the section headers and every section's
 * contents of image @p/@n lie inside it (-EINVAL, "section headers at X
 * exceed the file size Y"); *@end: where the ELF image ends.
 */
int btfci_elf_layout(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
		     size_t *end);
/* Where the section header table of the ELF image starting at @p ends, from its header alone; 0 if unknown. */
size_t btfci_elf_shdr_end(const uint8_t *p, size_t n);
/* A libelf handle on image @p/@n (its layout checked first), with its section name table index. */
int btfci_elf_open_mem(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
		       Elf **elfp, size_t *shstrndx);
/* Section @secname of @e: 0 and *@out, -ENODATA if absent, -EINVAL for corrupt section headers. */
int btfci_elf_find_scn(Elf *e, size_t shstrndx, const char *secname, GElf_Shdr *sh, Elf_Scn **out);
/*
 * Contents of section @scn (header @sh; decompressed if SHF_COMPRESSED, when
 * it claims at most @limit bytes) in *@sec and *@len. Errors name @name (and are
 * recorded in @ctx unless it is NULL).
 */
int btfci_elf_scn_data(struct btfc_ctx *ctx, const char *name, Elf_Scn *scn, const GElf_Shdr *sh,
		       const char *secname, uint64_t limit, const uint8_t **sec, size_t *len,
		       bool *compressed);

#endif
