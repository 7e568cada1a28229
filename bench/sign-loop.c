/*
 * The signing limit of a key, for bench/run.sh: sign the to-be-signed
 * part of a real certificate again and again with GnuTLS, as a CA that
 * did nothing else would.
 *
 *   sign-loop KEY CERT SECONDS [TBS-OUT]
 *
 * KEY is a PEM private key, CERT a PEM certificate signed by it (its
 * TBSCertificate and signature algorithm are used).  Signs for at least
 * SECONDS (and at least 10 times), then verifies one such signature for
 * as long, and prints "SIGNATURES/S MICROSECONDS VERIFICATIONS/S
 * MICROSECONDS": a CA that checks each request's signature pays both.
 * With TBS-OUT, also writes the TBSCertificate there (for floor
 * --issue).
 *
 * Built by run.sh: cc -O2 sign-loop.c $(pkg-config --cflags --libs
 * gnutls sqlite3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "sign-loop: %s: %s\n", what, why);
	exit(1);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The length of the DER element at p (header and contents), or 0. */
static size_t
der_element(const unsigned char *p, size_t len)
{
	size_t	 n, i, body;

	if (len < 2)
		return 0;
	if (p[1] < 0x80)
		return 2 + (size_t)p[1] <= len ? 2 + (size_t)p[1] : 0;
	n = p[1] & 0x7f;
	if (n == 0 || n > 4 || 2 + n > len)
		return 0;
	for (body = 0, i = 0; i < n; i++)
		body = body << 8 | p[2 + i];
	return 2 + n + body <= len ? 2 + n + body : 0;
}

int
main(int argc, char *argv[])
{
	gnutls_datum_t		 k = { NULL, 0 }, c = { NULL, 0 };
	gnutls_datum_t		 der = { NULL, 0 }, tbs, sig;
	gnutls_privkey_t	 key;
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	gnutls_sign_algorithm_t	 algo;
	double			 secs, start, t, vt;
	size_t			 hdr;
	long			 n, vn;
	FILE			*f;
	int			 ret;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: sign-loop KEY CERT SECONDS "
		    "[TBS-OUT]\n");
		return 2;
	}
	if ((secs = strtod(argv[3], NULL)) <= 0 || secs > 600)
		die(argv[3], "expected seconds from 0 to 600");
	if ((ret = gnutls_global_init()) < 0)
		die("GnuTLS", gnutls_strerror(ret));
	if ((ret = gnutls_load_file(argv[1], &k)) < 0)
		die(argv[1], gnutls_strerror(ret));
	if ((ret = gnutls_load_file(argv[2], &c)) < 0)
		die(argv[2], gnutls_strerror(ret));
	if ((ret = gnutls_privkey_init(&key)) < 0 ||
	    (ret = gnutls_privkey_import_x509_raw(key, &k,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
		die(argv[1], gnutls_strerror(ret));
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der)) < 0)
		die(argv[2], gnutls_strerror(ret));
	if ((ret = gnutls_x509_crt_get_signature_algorithm(crt)) < 0)
		die(argv[2], gnutls_strerror(ret));
	algo = ret;

	/* Certificate ::= SEQUENCE { tbsCertificate, ... } */
	if (der_element(der.data, der.size) != der.size)
		die(argv[2], "not a DER certificate");
	hdr = der.data[1] < 0x80 ? 2 : 2 + (der.data[1] & 0x7f);
	tbs.data = der.data + hdr;
	if ((tbs.size = der_element(tbs.data, der.size - hdr)) == 0)
		die(argv[2], "no TBSCertificate");
	if (argc == 5) {
		if ((f = fopen(argv[4], "wb")) == NULL ||
		    fwrite(tbs.data, 1, tbs.size, f) != tbs.size ||
		    fclose(f) != 0)
			die(argv[4], "cannot write");
	}

	start = now();
	for (n = 0;; n++) {
		if ((ret = gnutls_privkey_sign_data2(key, algo, 0, &tbs,
		    &sig)) < 0)
			die("signing", gnutls_strerror(ret));
		gnutls_free(sig.data);
		t = now() - start;
		if (n >= 10 && t >= secs)
			break;
	}
	n++;

	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0 ||
	    (ret = gnutls_privkey_sign_data2(key, algo, 0, &tbs, &sig)) < 0)
		die("public key", gnutls_strerror(ret));
	start = now();
	for (vn = 0;; vn++) {
		if ((ret = gnutls_pubkey_verify_data2(pub, algo, 0, &tbs,
		    &sig)) < 0)
			die("verifying", gnutls_strerror(ret));
		vt = now() - start;
		if (vn >= 10 && vt >= secs)
			break;
	}
	vn++;
	printf("%.1f %.2f %.1f %.2f\n", n / t, t * 1e6 / n, vn / vt,
	    vt * 1e6 / vn);
	gnutls_free(sig.data);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(key);
	gnutls_free(der.data);
	gnutls_free(c.data);
	gnutls_free(k.data);
	return 0;
}
