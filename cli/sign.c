// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* --sign-key/--sign-cert/--sign-hash/--sign-keyid/--sign-own of stamp, relocate, distill and strip. */
#include <getopt.h>

#include "cli.h"

bool cli_sign_opt(struct cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_SIGN_KEY:
		cli->sign_key = arg;
		return true;
	case CLI_OPT_SIGN_CERT:
		cli->sign_cert = arg;
		return true;
	case CLI_OPT_SIGN_HASH:
		cli->sign_hash = arg;
		return true;
	case CLI_OPT_SIGN_KEYID:
		cli->sign_flags |= BTFC_SIGN_KEYID;
		return true;
	case CLI_OPT_SIGN_OWN:
		cli->sign_flags |= BTFC_SIGN_OWN;
		return true;
	}
	return false;
}

int cli_sign_setup(struct cli *cli, const char *base_path)
{
	static char config_hash[64];

	if (!cli->sign_key && !cli->sign_cert && !cli->sign_hash && !cli->sign_flags)
		return 0;
	if (!cli->sign_hash && !cli_base_sig_hash(base_path, config_hash, sizeof(config_hash)))
		cli->sign_hash = config_hash;
	if (!cli->sign_key || !cli->sign_cert)
		return cli_error(cli, "%s: --sign-key and --sign-cert go together", cli->argv[0]);
	if (btfc_signer_new(cli->ctx, cli->sign_key, cli->sign_cert, cli->sign_hash,
			    cli->sign_flags, &cli->signer))
		return cli_lib_error(cli);
	btfc_ctx_set_signer(cli->ctx, cli->signer);
	return 0;
}
