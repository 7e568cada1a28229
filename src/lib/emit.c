/*
 * Showing a certificate that was just issued and recorded: exported to
 * a file, and the text for the output (its PEM, or its row as JSON).
 * ca-sign and ca-sign --batch show each certificate this one way.
 */
#include "config.h"

#include "cakit.h"

int
emit_cert(const struct ledger_row *row, const char *path,
    const char *key_path, bool json, time_t now, struct buf *show,
    struct cakit_err *err)
{
	gnutls_datum_t	 pem = { NULL, 0 };
	const char	*files[5];
	size_t		 n = 0;
	int		 rc = -1;

	if (gnutls_pem_base64_encode2("CERTIFICATE", &row->der, &pem) < 0) {
		err_set(err, "encoding the certificate");
		goto out;
	}
	if (path != NULL) {
		if (file_write_atomic(path, pem.data, pem.size, 0644,
		    err) == -1)
			goto out;
		files[n++] = "certificate";
		files[n++] = path;
	}
	if (key_path != NULL) {
		files[n++] = "key";
		files[n++] = key_path;
	}
	files[n] = NULL;
	if (json)
		row_json(show, row, now, files, path == NULL);
	else if (path == NULL)
		buf_add(show, pem.data, pem.size);
	rc = 0;
out:
	gnutls_free(pem.data);
	return rc;
}
