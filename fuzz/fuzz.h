/*
 * Shared by the fuzz targets: the libFuzzer entry points, and CAs made
 * once in memory to sign what the targets build.  No files, no ledger.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "cakit.h"

/* The fixed clock of every target, so that a crash replays. */
#define FUZZ_NOW	((time_t)1700000000)	/* 2023-11-14 */

int	 LLVMFuzzerInitialize(int *, char ***);
int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct ca *fuzz_ca_new(const char *, const struct san_list *,
	    const struct san_list *, const char *);
char	*fuzz_strndup(const uint8_t *, size_t);
void	 fuzz_fail(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* !FUZZ_H */
