/* SPDX-License-Identifier: MIT */
/* nosym.c -- test module without dz_kind_plugin(): must be skipped. */
int dz_nosym_answer(void);

int dz_nosym_answer(void)
{
	return 42;
}
