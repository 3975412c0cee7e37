/* See safe_file.h. stat first, so that opening a device cannot have its side effects;
 * the open itself is O_NONBLOCK (a FIFO planted between the stat and the open does not
 * block it) and fstat decides on what was really opened. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "safe_file.h"

static __thread off_t last_max;

static int refuse(int fd, int err)
{
	if (fd >= 0)
		close(fd);
	return -err;
}

static int check_read(const struct stat *st, off_t max, unsigned flags, uid_t owner)
{
	if (!S_ISREG(st->st_mode))
		return S_ISDIR(st->st_mode) ? EISDIR : SF_ENOTREG;
	if ((flags & SF_OWNER) && st->st_uid != owner && st->st_uid != 0)
		return SF_EOWNER;
	if (max && st->st_size > max) {
		last_max = max;
		return SF_ETOOBIG;
	}
	return 0;
}

int sf_open_read(const char *path, off_t max, unsigned flags, uid_t owner)
{
	int nofollow = flags & SF_NOFOLLOW ? O_NOFOLLOW : 0, fd, err;
	struct stat st;

	if ((nofollow ? lstat(path, &st) : stat(path, &st)))
		return -errno;
	if (nofollow && S_ISLNK(st.st_mode))
		return -SF_ESYMLINK;
	if ((err = check_read(&st, max, flags, owner)))
		return -err;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | nofollow);
	if (fd < 0)
		return errno == ELOOP && nofollow ? -SF_ESYMLINK : -errno;
	if (fstat(fd, &st))
		return refuse(fd, errno);
	if ((err = check_read(&st, max, flags, owner)))
		return refuse(fd, err);
	if (fcntl(fd, F_SETFL, 0))	/* blocking reads again: a regular file never waits */
		return refuse(fd, errno);
	return fd;
}

int sf_errno(int err)
{
	return err == -SF_ENOTREG ? -ENOEXEC : err == -SF_ETOOBIG ? -EFBIG :
	       err == -SF_EOWNER || err == -SF_EHARDLINK ? -EPERM :
	       err == -SF_ESYMLINK ? -ELOOP : err;
}

int sf_open_elf(const char *path)
{
	return sf_errno(sf_open_read(path, SF_MAX_ELF, 0, 0));
}

FILE *sf_fopen_read(const char *path, off_t max)
{
	int fd = sf_errno(sf_open_read(path, max, 0, 0));
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (!(f = fdopen(fd, "re")))
		close(fd);
	return f;
}

int sf_read_all(const char *path, off_t max, char **buf, size_t *len)
{
	int fd = sf_open_read(path, max, 0, 0);
	size_t n = 0, cap;
	struct stat st;
	char *b = NULL;

	if (fd < 0)
		return fd;
	/* The size when opened plus one byte, grown if the file grows, up to the bound. */
	cap = (!fstat(fd, &st) ? (size_t)st.st_size : 0) + 1;
	for (;;) {
		ssize_t r;

		if (n == cap || !b) {
			char *bigger;

			cap = n == cap ? cap * 2 : cap;
			if (cap > (size_t)max + 1)
				cap = (size_t)max + 1;
			if (!(bigger = realloc(b, cap + 1))) {
				free(b);
				return refuse(fd, ENOMEM);
			}
			b = bigger;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return refuse(fd, errno);
		}
		if (!r)
			break;
		n += r;
		if (n > (size_t)max) {
			free(b);
			last_max = max;
			return refuse(fd, SF_ETOOBIG);
		}
	}
	close(fd);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

/* A directory where names may be another user's doing: anyone may write to it, or it
 * belongs to someone other than the caller and root. */
static bool hostile_dir(const char *path, struct stat *dst)
{
	char *copy = strdup(path);
	bool hostile;

	if (!copy)
		return true;
	hostile = !stat(dirname(copy), dst) &&
		  ((dst->st_mode & S_IWOTH) || (dst->st_uid != geteuid() && dst->st_uid != 0));
	free(copy);
	return hostile;
}

/* The kernel's fs.protected_symlinks rule, stricter: only in a sticky directory of root's
 * or the caller's, where no one else can replace a link the caller or the directory's
 * owner made, is following one not open to redirection. */
static bool link_trusted(uid_t uid, const struct stat *dst)
{
	uid_t me = geteuid();

	return (dst->st_mode & S_ISVTX) && (dst->st_uid == 0 || dst->st_uid == me) &&
	       (uid == me || uid == dst->st_uid);
}

int sf_open_write(const char *path)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, fd;
	bool followed = false;
	struct stat dst, st;

	if (!hostile_dir(path, &dst)) {
		fd = open(path, flags | O_TRUNC, 0666);
		return fd < 0 ? -errno : fd;
	}
	/* No O_TRUNC before the checks: a file that is refused is left as it was. */
	fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK, 0666);
	/* ELOOP, or EACCES: with O_CREAT the kernel may refuse another user's link first. */
	if (fd < 0 && (errno == ELOOP || errno == EACCES)) {
		int err = errno;

		if (lstat(path, &st) || !S_ISLNK(st.st_mode))
			return -err;
		if (!link_trusted(st.st_uid, &dst))
			return -SF_ESYMLINK;
		fd = open(path, flags | O_NONBLOCK, 0666);
		followed = true;
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		return refuse(fd, errno);
	/* fs.protected_regular's rule: an existing file there is the caller's or the
	 * directory owner's; and one with other names may be a hard link to anyone's. */
	if (!followed && st.st_uid != geteuid() && st.st_uid != dst.st_uid)
		return refuse(fd, SF_EOWNER);
	if (!followed && S_ISREG(st.st_mode) && st.st_nlink > 1)
		return refuse(fd, SF_EHARDLINK);
	if (fcntl(fd, F_SETFL, 0) || (S_ISREG(st.st_mode) && ftruncate(fd, 0)))
		return refuse(fd, errno);
	return fd;
}

const char *sf_strerror(int err)
{
	static __thread char buf[64];

	switch (err < 0 ? -err : err) {
	case SF_ENOTREG:
		return "not a regular file";
	case SF_ETOOBIG:
		if (last_max >= (1 << 20))
			snprintf(buf, sizeof(buf), "larger than the %lld MiB limit",
				 (long long)(last_max >> 20));
		else
			snprintf(buf, sizeof(buf), "larger than the %lld-byte limit",
				 (long long)last_max);
		return buf;
	case SF_EOWNER:
		return "owned by another user";
	case SF_ESYMLINK:
		return "a symlink in a directory other users can change (not followed)";
	case SF_EHARDLINK:
		return "a file with other hard links in a directory other users can change";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
