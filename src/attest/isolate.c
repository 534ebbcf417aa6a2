/* isolate.c - running a build where it can reach nothing but its toolchain, its declared inputs and
 * its own workspace.
 *
 * The child is cloned into new user, mount, PID, IPC, UTS and network namespaces. Its user namespace
 * maps its root to an unprivileged id outside (nobody when cairn runs as root, else the caller's own
 * id), so whatever the build does, the host sees an unprivileged user. Its root is a fresh tmpfs holding
 * read-only bind mounts of /usr, /bin, /lib*, /sbin, /etc/alternatives, each declared input at its own
 * path, a few device nodes, a private /tmp and /proc, and /workspace: the only host directory it may
 * write. pivot_root then detaches the host's tree, so no other host path (the signing key's included)
 * exists for it. The network namespace holds only a loopback interface, left down. The command runs as
 * PID 1 of its namespace with a scrubbed environment; when it exits, or the time limit kills it, the
 * kernel kills everything it started.
 *
 * The parent never opens the signing key before the child is gone: see cmd_build.c. */
#include "cairn/provenance.h"

#include "cairn/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SANDBOX_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define NOBODY_ID 65534
#define TOOLCHAIN_DIRS {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/alternatives"}
#define DEVICES {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}

/* ---- the child: everything here runs between clone and exec, so it only makes system calls and
 * reports a failure as one line on the error pipe. ---- */

static void child_fail(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void child_fail(int fd, const char *fmt, ...)
{
	char msg[512];
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof msg)
		n = (int)sizeof msg - 1;
	n += snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(saved));
	if ((size_t)n >= sizeof msg)
		n = (int)sizeof msg - 1;
	ssize_t w = write(fd, msg, (size_t)n);
	(void)w;
	_exit(127);
}

/* mkdir -p inside the new root (a tmpfs, so modes do not matter beyond 0755). */
static int mkdirs(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The flags a remount must keep: in a user namespace the kernel refuses to drop locked ones. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long flags = 0;
	if (statvfs(path, &sv) != 0)
		return 0;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

/* Binds host path src at root+src (or root+dst), read-only unless writable. Symlinks (a merged /usr's
 * /bin -> usr/bin) are recreated as symlinks. A missing src is skipped when optional. */
static void bind_into(int efd, const char *root, const char *src, const char *dst, int writable, int optional)
{
	char target[PATH_MAX];
	if (snprintf(target, sizeof target, "%s%s", root, dst) >= (int)sizeof target) {
		errno = ENAMETOOLONG;
		child_fail(efd, "mount point for %s", src);
	}
	struct stat st;
	if (lstat(src, &st) != 0) {
		if (optional)
			return;
		child_fail(efd, "declared input %s", src);
	}
	if (S_ISLNK(st.st_mode) && strcmp(src, dst) == 0) {
		char link[PATH_MAX];
		ssize_t n = readlink(src, link, sizeof link - 1);
		if (n < 0)
			child_fail(efd, "readlink %s", src);
		link[n] = '\0';
		char *slash = strrchr(target, '/');
		*slash = '\0';
		if (mkdirs(target) != 0)
			child_fail(efd, "mkdir %s", target);
		*slash = '/';
		if (symlink(link, target) != 0 && errno != EEXIST)
			child_fail(efd, "symlink %s", target);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdirs(target) != 0)
			child_fail(efd, "mkdir %s", target);
	} else {
		char *slash = strrchr(target, '/');
		*slash = '\0';
		if (mkdirs(target) != 0)
			child_fail(efd, "mkdir %s", target);
		*slash = '/';
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			child_fail(efd, "mount point %s", target);
		if (fd >= 0)
			close(fd);
	}
	if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) != 0)
		child_fail(efd, "bind mount %s", src);
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | locked_flags(src);
	if (!S_ISCHR(st.st_mode)) /* device nodes stay usable; nothing else may act as one */
		flags |= MS_NODEV;
	if (!writable)
		flags |= MS_RDONLY;
	if (mount(NULL, target, NULL, flags, NULL) != 0)
		child_fail(efd, "remount %s read-only", target);
}

static void write_file(int efd, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		child_fail(efd, "create %s", path);
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		child_fail(efd, "write %s", path);
	close(fd);
}

/* The minimal /etc: who root is, localhost, and the dynamic loader's cache (read from the host). */
static void make_etc(int efd, const char *root)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/etc", root);
	if (mkdirs(path) != 0)
		child_fail(efd, "mkdir %s", path);
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	write_file(efd, path, "root:x:0:0:build:/workspace:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
	snprintf(path, sizeof path, "%s/etc/group", root);
	write_file(efd, path, "root:x:0:\nnogroup:x:65534:\n");
	snprintf(path, sizeof path, "%s/etc/hosts", root);
	write_file(efd, path, "127.0.0.1 localhost\n::1 localhost\n");
	bind_into(efd, root, "/etc/ld.so.cache", "/etc/ld.so.cache", 0, 1);
}

static void make_root(int efd, const char *root, const cairn_isolate_options *o)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		child_fail(efd, "make mounts private");
	if (mount("cairn-build", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m") != 0)
		child_fail(efd, "mount tmpfs at %s", root);
	static const char *const toolchain[] = TOOLCHAIN_DIRS;
	for (size_t i = 0; i < sizeof toolchain / sizeof toolchain[0]; i++)
		bind_into(efd, root, toolchain[i], toolchain[i], 0, 1);
	make_etc(efd, root);
	for (size_t i = 0; i < o->input_count; i++)
		bind_into(efd, root, o->inputs[i], o->inputs[i], 0, 0);
	static const char *const devices[] = DEVICES;
	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
		bind_into(efd, root, devices[i], devices[i], 1, 1);
	bind_into(efd, root, o->workspace, "/workspace", 1, 0);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/tmp", root);
	if (mkdirs(path) != 0 || mount("tmp", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m") != 0)
		child_fail(efd, "mount /tmp");
	snprintf(path, sizeof path, "%s/proc", root);
	if (mkdirs(path) != 0 || mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		child_fail(efd, "mount /proc");
	snprintf(path, sizeof path, "%s/.old", root);
	if (mkdirs(path) != 0)
		child_fail(efd, "mkdir %s", path);
	if (chdir(root) != 0 || syscall(SYS_pivot_root, ".", ".old") != 0)
		child_fail(efd, "pivot_root into %s", root);
	if (chdir("/") != 0 || umount2("/.old", MNT_DETACH) != 0 || rmdir("/.old") != 0)
		child_fail(efd, "detach the host's root");
	/* the new root's own tmpfs becomes read-only: only /workspace and /tmp stay writable */
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
		child_fail(efd, "remount / read-only");
}

static void child_main(int efd, int gofd, const char *root, const cairn_isolate_options *o)
{
	char go;
	if (read(gofd, &go, 1) != 1) /* the parent has written our id maps */
		_exit(127);
	close(gofd);
	if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)
		child_fail(efd, "become root of the user namespace");
	if (sethostname("cairn-build", 11) != 0)
		child_fail(efd, "set the host name");
	make_root(efd, root, o);
	if (chdir("/workspace") != 0)
		child_fail(efd, "chdir /workspace");
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) != 0 || dup2(2, 1) != 1)
		child_fail(efd, "set up standard input and output");
	if (null > 2)
		close(null);
	/* nothing else the parent had open reaches the build (efd is close-on-exec) */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != efd)
			close(fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_fail(efd, "set no_new_privs");
	char sde[64];
	char *envp[5];
	size_t n = 0;
	envp[n++] = (char *)"PATH=" SANDBOX_PATH;
	envp[n++] = (char *)"HOME=/workspace";
	envp[n++] = (char *)"LANG=C.UTF-8";
	if (o->source_date_epoch != NULL) {
		snprintf(sde, sizeof sde, "SOURCE_DATE_EPOCH=%s", o->source_date_epoch);
		envp[n++] = sde;
	}
	envp[n] = NULL;
	/* execvpe looks argv[0] up in our own PATH, not envp's: make ours the sandbox's */
	if (clearenv() != 0 || setenv("PATH", SANDBOX_PATH, 1) != 0)
		child_fail(efd, "scrub the environment");
	execvpe(o->argv[0], o->argv, envp);
	child_fail(efd, "run %s", o->argv[0]);
}

/* ---- the parent ---- */

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: %s", path, strerror(errno));
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	int saved = errno;
	close(fd);
	if (w != (ssize_t)len)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "writing %s: %s", path, strerror(saved));
	return 0;
}

static int write_id_maps(pid_t pid, unsigned outside)
{
	char path[64], map[64];
	snprintf(map, sizeof map, "0 %u 1\n", outside);
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	int err = write_text(path, map);
	if (!err) {
		snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
		err = write_text(path, "deny\n");
	}
	if (!err) {
		snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
		err = write_text(path, map);
	}
	return err;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for pid until the deadline; kills it (and with it its PID namespace) when the time is up. */
static int wait_child(pid_t pid, int64_t deadline, int *status, int *timed_out)
{
	*timed_out = 0;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return cairn_error_set(CAIRN_EINTERNAL, "waiting for the build: %s", strerror(errno));
		if (!*timed_out && now_ms() >= deadline) {
			*timed_out = 1;
			kill(pid, SIGKILL);
		}
		struct timespec pause = {0, 20 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

/* The workspace must belong to the id the sandbox's root maps to, or the build could not write it. */
static int chown_tree(const char *path, unsigned id, int depth)
{
	if (depth > 256)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: nested too deep", path);
	if (lchown(path, id, id) != 0)
		return cairn_error_set(CAIRN_EIO, "chown %s: %s", path, strerror(errno));
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(path);
	if (d == NULL)
		return cairn_error_set(CAIRN_EIO, "%s: %s", path, strerror(errno));
	int err = 0;
	struct dirent *e;
	while (!err && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *sub = NULL;
		if (asprintf(&sub, "%s/%s", path, e->d_name) < 0) {
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			break;
		}
		err = chown_tree(sub, id, depth + 1);
		free(sub);
	}
	closedir(d);
	return err;
}

int cairn_isolate_run(const cairn_isolate_options *o, int *exit_status)
{
	*exit_status = -1;
	if (o->argv == NULL || o->argv[0] == NULL || o->timeout_seconds <= 0 || o->workspace == NULL)
		return cairn_error_set(CAIRN_EINVAL, "isolated build: a command, a workspace and a time limit are needed");
	if (o->input_count > CAIRN_BUILD_MAX_INPUTS)
		return cairn_error_set(CAIRN_ETOOBIG, "more than %d declared inputs", CAIRN_BUILD_MAX_INPUTS);
	for (size_t i = 0; i < o->input_count; i++)
		if (o->inputs[i][0] != '/' || strstr(o->inputs[i], "/..") != NULL)
			return cairn_error_set(CAIRN_EINVAL, "declared input %s: not a canonical absolute path", o->inputs[i]);
	unsigned outside = getuid() == 0 ? NOBODY_ID : (unsigned)getuid();
	if (getuid() == 0) {
		int err = chown_tree(o->workspace, outside, 0);
		if (err)
			return err;
	}
	/* the staging directory the child mounts its tmpfs root on */
	char root[] = "/tmp/cairn-root.XXXXXX";
	if (mkdtemp(root) == NULL)
		return cairn_error_set(CAIRN_EIO, "creating a staging directory: %s", strerror(errno));
	int errpipe[2] = {-1, -1}, gopipe[2] = {-1, -1};
	int err = 0;
	if (pipe2(errpipe, O_CLOEXEC) != 0 || pipe2(gopipe, O_CLOEXEC) != 0) {
		err = cairn_error_set(CAIRN_EINTERNAL, "pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
	/* the raw system call behaves like fork (the child continues on a copy of our stack) */
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		err = cairn_error_set(errno == EPERM || errno == EINVAL || errno == ENOSPC ? CAIRN_EUNSUPPORTED : CAIRN_EINTERNAL,
				      "cannot create the build's namespaces (user namespaces may be disabled): %s",
				      strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(errpipe[0]);
		close(gopipe[1]);
		child_main(errpipe[1], gopipe[0], root, o);
	}
	close(errpipe[1]);
	errpipe[1] = -1;
	close(gopipe[0]);
	gopipe[0] = -1;
	err = write_id_maps(pid, outside);
	if (err) {
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		goto out;
	}
	if (write(gopipe[1], "g", 1) != 1) {
		err = cairn_error_set(CAIRN_EINTERNAL, "starting the build: %s", strerror(errno));
		kill(pid, SIGKILL);
	}
	close(gopipe[1]);
	gopipe[1] = -1;
	int status = 0, timed_out = 0;
	int werr = wait_child(pid, now_ms() + (int64_t)o->timeout_seconds * 1000, &status, &timed_out);
	if (!err)
		err = werr;
	/* a message on the error pipe means the sandbox was never entered */
	char msg[513];
	ssize_t n = read(errpipe[0], msg, sizeof msg - 1);
	if (!err && n > 0) {
		msg[n] = '\0';
		err = cairn_error_set(CAIRN_EUNSUPPORTED, "setting up the build sandbox: %s", msg);
	} else if (!err && timed_out) {
		err = cairn_error_set(CAIRN_EVERIFY, "the build did not finish within %d seconds and was killed",
				      o->timeout_seconds);
	} else if (!err) {
		*exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (errpipe[i] >= 0)
			close(errpipe[i]);
		if (gopipe[i] >= 0)
			close(gopipe[i]);
	}
	rmdir(root);
	return err;
}

/* ---- copying the source in, reading the outputs back ---- */

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return cairn_error_set(CAIRN_EIO, "%s: %s", src, strerror(errno));
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
	if (out < 0) {
		close(in);
		return cairn_error_set(CAIRN_EIO, "%s: %s", dst, strerror(errno));
	}
	int err = 0;
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			err = cairn_error_set(CAIRN_EIO, "copying %s: %s", src, strerror(errno));
			break;
		}
	}
	close(in);
	if (close(out) != 0 && !err)
		err = cairn_error_set(CAIRN_EIO, "%s: %s", dst, strerror(errno));
	return err;
}

static int copy_tree(const char *src, const char *dst, int depth, size_t *count)
{
	if (depth > 256)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: nested too deep", src);
	DIR *d = opendir(src);
	if (d == NULL)
		return cairn_error_set(CAIRN_EIO, "%s: %s", src, strerror(errno));
	int err = 0;
	struct dirent *e;
	while (!err && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (++*count > CAIRN_BUILD_MAX_TREE_FILES) {
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: more than %d entries", src, CAIRN_BUILD_MAX_TREE_FILES);
			break;
		}
		char *s = NULL, *t = NULL;
		if (asprintf(&s, "%s/%s", src, e->d_name) < 0 || asprintf(&t, "%s/%s", dst, e->d_name) < 0) {
			free(s);
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			break;
		}
		struct stat st;
		if (lstat(s, &st) != 0) {
			err = cairn_error_set(CAIRN_EIO, "%s: %s", s, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdir(t, (st.st_mode & 0777) | 0700) != 0)
				err = cairn_error_set(CAIRN_EIO, "%s: %s", t, strerror(errno));
			else
				err = copy_tree(s, t, depth + 1, count);
		} else if (S_ISLNK(st.st_mode)) {
			char link[PATH_MAX];
			ssize_t n = readlink(s, link, sizeof link - 1);
			if (n < 0 || (link[n] = '\0', symlink(link, t) != 0))
				err = cairn_error_set(CAIRN_EIO, "%s: %s", s, strerror(errno));
		} else if (S_ISREG(st.st_mode)) {
			err = copy_file(s, t, st.st_mode);
		} else {
			err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: not a file, directory or symlink", s);
		}
		free(s);
		free(t);
	}
	closedir(d);
	return err;
}

int cairn_tree_copy(const char *src, const char *dst)
{
	size_t count = 0;
	return copy_tree(src, dst, 0, &count);
}

int cairn_path_open_beneath(const char *root, const char *rel, int *fd_out)
{
	*fd_out = -1;
	if (rel[0] == '/' || rel[0] == '\0')
		return cairn_error_set(CAIRN_EINVAL, "output %s: must be a path relative to the workspace", rel);
	char *copy = strdup(rel);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = dir < 0 ? cairn_error_set(CAIRN_EIO, "%s: %s", root, strerror(errno)) : 0;
	char *save = NULL;
	char *part = err ? NULL : strtok_r(copy, "/", &save);
	while (!err && part != NULL) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(part, "..") == 0) {
			err = cairn_error_set(CAIRN_EINVAL, "output %s: must not contain '..'", rel);
			break;
		}
		int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (next ? O_DIRECTORY : O_NONBLOCK);
		int fd = openat(dir, part, flags);
		if (fd < 0) {
			err = cairn_error_set(errno == ENOENT ? CAIRN_ENOENT : CAIRN_EINVAL,
					      "output %s: %s%s", rel, strerror(errno),
					      errno == ELOOP ? " (a symlink: outputs must be regular files)" : "");
			break;
		}
		close(dir);
		dir = fd;
		part = next;
	}
	free(copy);
	if (!err) {
		struct stat st;
		if (fstat(dir, &st) != 0 || !S_ISREG(st.st_mode))
			err = cairn_error_set(CAIRN_EINVAL, "output %s: not a regular file", rel);
	}
	if (err) {
		if (dir >= 0)
			close(dir);
		return err;
	}
	*fd_out = dir;
	return 0;
}
