/* SPDX-License-Identifier: MIT */
/* Test-guest string and memory functions: the libc ones gcc may call, and a few more. */
#ifndef GUEST_MEM_H
#define GUEST_MEM_H

#include <stddef.h>

/*
 * Standard names and contracts on purpose: even freestanding, gcc may emit
 * calls to memset/memcpy/memmove/memcmp (C11 5.1.2.1, GCC "Standards").
 */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
