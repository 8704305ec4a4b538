/* SPDX-License-Identifier: MIT */
/* xfr-internal.h -- what the transfer files share: settings, messages. */
#pragma once

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon/opt.h"
#include "util/dname.h"
#include "util/wire.h"
#include "zone/snapshot.h"
#include "zone/zone.h"

enum {
	XT_NS = 2,
	XT_CNAME = 5,
	XT_SOA = 6,
	XT_PTR = 12,
	XT_MX = 15,
	XT_OPT = 41,
	XT_TSIG = 250,
	XT_IXFR = 251,
	XT_AXFR = 252,
	XC_IN = 1,
	XC_ANY = 255,
};

enum {
	XRC_NOERROR = 0,
	XRC_FORMERR = 1,
	XRC_SERVFAIL = 2,
	XRC_NOTIMP = 4,
	XRC_REFUSED = 5,
	XRC_NOTAUTH = 9,
};

#define XF2_QR 0x80
#define XF2_OPCODE 0x78
#define XF2_AA 0x04
#define XF2_TC 0x02
#define XF2_RD 0x01
#define XOP_NOTIFY 4

/* ---- Settings (opts.c) -------------------------------------------------- */

/* The option variables, as the rows of dz_xfr_opts[] fill them. */
extern struct dz_strlist dz_xfr_allow;   /* --allow-transfer */
extern struct dz_strlist dz_xfr_notify;  /* --notify */
extern const char *dz_xfr_tsig_file;     /* --tsig-key */
extern unsigned dz_xfr_ixfr_history;     /* --ixfr-history */
extern const char *dz_xfr_catalog;       /* --catalog-zone */

struct xacl {
	int family;           /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned len;         /* prefix length */
};

/* The settings in usable form, made once from the variables above. */
struct xcfg {
	struct xacl *acl;
	size_t nacl;
	struct sockaddr_storage *notify;
	socklen_t *notify_len;
	char (*notify_text)[64];
	size_t nnotify;
	struct xtsig_key *key; /* NULL: no TSIG */
};

/*
 * The settings, compiled on the first call (thread-safe). Failures to
 * parse were caught when the options were set; what fails here anyway
 * is logged and left out.
 */
const struct xcfg *dz_xfr_cfg(void);

/* Compile the variables again (tests only: not thread-safe). */
void dz_xfr_cfg_reload(void);

/* Parse "ADDR" or "ADDR/LEN" into a; 0 or -1 with *why. */
int dz_xfr_acl_parse(const char *text, struct xacl *a, const char **why);

/* True when peer is inside one of the configured prefixes. */
bool dz_xfr_acl_allows(const struct xcfg *c, const struct sockaddr *peer);

/* "ADDR#PORT" of a socket address for logs. */
void dz_xfr_addr_text(const struct sockaddr *sa, char *out, size_t outsz);

/* The zone whose origin is exactly lname (lower case, len bytes), or
 * NULL (export.c). */
const struct dz_zone *dz_xfr_zone_exact(const struct dz_snapshot *snap,
					const uint8_t *lname, size_t len);

/* ---- Messages (msg.c) ------------------------------------------------- */

#define XMSG_SLOTS 4096 /* compression table (power of two) */

struct xmsg {
	struct dz_wire w;
	uint16_t qd, an, ns, ar;
	size_t nent;
	uint16_t tab[XMSG_SLOTS]; /* offset + 1 of a name suffix; 0 empty */
};

/* Start a response to the query with this ID: QR, AA and RD as given. */
void dz_xfr_msg_init(struct xmsg *m, uint8_t *buf, size_t cap,
		     const uint8_t *id, bool rd);

/* Write a name, compressed against the names already written. */
void dz_xfr_msg_name(struct xmsg *m, const uint8_t *name);

/* One question. */
void dz_xfr_msg_question(struct xmsg *m, const uint8_t *qname,
			 uint16_t qtype, uint16_t qclass);

/*
 * True when an RR of this owner and rdata length surely fits in what is
 * left, keeping reserve bytes free.
 */
bool dz_xfr_msg_fits(const struct xmsg *m, const uint8_t *owner,
		     uint16_t rdlen, size_t reserve);

/* One IN RR; the names in the rdata of NS, CNAME, PTR, MX and SOA are
 * compressed (RFC 3597 section 4). Counted in the answer section. */
void dz_xfr_msg_rr(struct xmsg *m, const uint8_t *owner, uint16_t type,
		   uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);

/* An OPT RR (EDNS, payload 1232, no options) in the additional section. */
void dz_xfr_msg_opt(struct xmsg *m);

/* Set the rcode and counts; the message length (0 on overflow). */
size_t dz_xfr_msg_finish(struct xmsg *m, int rcode);

/* ---- Requests (msg.c) ------------------------------------------------- */

struct xreq {
	const uint8_t *msg;
	size_t len;
	uint8_t qname[DZ_DNAME_MAX]; /* lower case */
	size_t qname_len;
	uint16_t qtype, qclass;
	size_t qend;            /* offset after the question */
	bool rd;
	bool edns;
	uint16_t payload;        /* EDNS: the client's UDP payload size */
	bool has_soa;           /* IXFR: an SOA in the authority section */
	uint32_t soa_serial;
	bool tsig;              /* a TSIG RR ends the additional section */
	size_t tsig_off;        /* its offset */
};

/*
 * Parse a query: header, one question, every RR. DZ_EFORMERR when it
 * does not parse (the caller answers FORMERR), 0 otherwise.
 */
int dz_xfr_req_parse(struct xreq *r, const uint8_t *msg, size_t len);

/* Skip a (possibly compressed) name at *pos; false when malformed. */
bool dz_xfr_skip_name(const uint8_t *m, size_t len, size_t *pos);

/* ---- Records lists (ixfr.c) --------------------------------------------
 * A packed list of RRs: owner (wire), u16 type, u32 ttl, u16 rdlen,
 * rdata, back to back. */
struct xrr {
	const uint8_t *owner;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
};

/* Decode the RR at p (inside a list the caller wrote); the next one. */
const uint8_t *dz_xfr_rr_decode(const uint8_t *p, struct xrr *rr);

/* ---- TSIG (tsig.c) ---------------------------------------------------- */

struct xtsig_key {
	char name[DZ_DNAME_MAX * 4 + 2]; /* text, trailing dot */
	char algorithm[32];              /* "hmac-sha256." */
	char secret[512];                /* base64, as in the file */
};

/* Parse a BIND key file's text; 0 or -1 with *why. */
int dz_xfr_tsig_parse(const char *text, struct xtsig_key *k,
		      const char **why);

/* Option row parser of --tsig-key: reads and keeps the key. */
int dz_xfr_tsig_opt(const char *value, void *ptr, const char **why);

/* The key from --tsig-key, or NULL. */
struct xtsig_key *dz_xfr_tsig_key(void);

/* The signing state of one transfer (request MAC, messages since the
 * last signed one). */
struct xtsig_state;

/*
 * Check the request's TSIG against the key. -1: go on (*ts is the state
 * to sign the answers with, NULL when unsigned); else the rcode of the
 * error reply (logged with who and zone).
 */
int dz_xfr_tsig_check(const struct xcfg *c, const struct xreq *r,
		      struct xtsig_state **ts, const char *who,
		      const char *zone);

/* The error reply for a failed check (RFC 8945 5.3: unsigned, NOTAUTH
 * with the TSIG error). Its length. */
size_t dz_xfr_tsig_error(const struct xreq *r, int rcode, uint8_t *resp);

/* Sign the message of len bytes in place (cap bytes of room); the new
 * length. ts NULL: unchanged. */
size_t dz_xfr_tsig_sign(struct xtsig_state *ts, uint8_t *msg, size_t len,
			size_t cap);

/* NULL is a no-op. */
void dz_xfr_tsig_state_free(struct xtsig_state *ts);

/* ---- IXFR history (ixfr.c) ---------------------------------------------- */

/* One change of a zone: from serial to serial, the RRs deleted (old SOA
 * first) and added (new SOA first), as packed lists. Immutable. */
struct xdiff {
	atomic_uint refs;
	uint32_t from, to;
	uint8_t *del, *add;
	size_t del_len, add_len;
};

/*
 * The differences that lead from serial from to serial to of the zone
 * at origin, oldest first, each referenced for the caller. DZ_ENOENT
 * when the history does not reach back that far.
 */
int dz_xfr_hist_chain(const uint8_t *origin, uint32_t from, uint32_t to,
		      struct xdiff ***out, size_t *n);

/* Drop the references of a chain and free the array. */
void dz_xfr_diffs_unref(struct xdiff **d, size_t n);

/*
 * Record what changed between two versions of a zone (main thread).
 * Persisted in state_dir/ixfr/ZONE.hist when state_dir is not NULL.
 */
void dz_xfr_hist_record(const char *state_dir, const struct dz_zone *old,
			const struct dz_zone *z);

/* Forget every history (shutdown). */
void dz_xfr_hist_clear(void);

/* Sign a request we send (NOTIFY) with the --tsig-key key, if any; its
 * new length (0: failed). */
size_t dz_xfr_tsig_sign_request(uint8_t *msg, size_t len, size_t cap);
