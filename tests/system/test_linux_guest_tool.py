# SPDX-License-Identifier: MIT
"""tools/linux-guest: its newc writer read back by GNU cpio, and the real fetch and archives.

The newc records are checked three ways: byte for byte against the
format (header fields, 4-byte padding, the trailer), listed by Debian's
`cpio -tv` (an independent reader: names, modes, sizes, device numbers,
symlink targets) and extracted by it (file contents).  The fetch test
runs `tools/linux-guest paths` into the shared cache build/linux (the
packages are downloaded once, then reused) and checks what it made: a
bzImage with its boot-protocol header, a static busybox, and both
archives with their /init.
"""

import importlib.machinery
import importlib.util
import os
import re
import shutil
import stat
import struct
import subprocess
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOOL = os.path.join(ROOT, "tools", "linux-guest")
CPIO = shutil.which("cpio")
FETCH_TIMEOUT_S = 600


def load_tool():
    """tools/linux-guest as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("linux_guest", TOOL)
    spec = importlib.util.spec_from_loader("linux_guest", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


lg = load_tool()


def cpio_list(data):
    """`cpio -tv --numeric-uid-gid` of the archive @data: its lines."""
    if not CPIO:
        raise RuntimeError("cpio missing: run tools/deps")
    proc = subprocess.run([CPIO, "-tv", "--numeric-uid-gid", "--quiet"], input=data,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"cpio -tv refused the archive: {proc.stderr.decode()}")
    return proc.stdout.decode().splitlines()


class NewcFormat(unittest.TestCase):
    def test_header_fields_and_padding(self):
        rec = lg.newc_entry("init", stat.S_IFREG | 0o755, b"abcde", ino=7)
        self.assertEqual(rec[:6], b"070701")
        fields = [int(rec[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        # ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor
        # namesize check
        self.assertEqual(fields, [7, 0o100755, 0, 0, 1, 0, 5, 0, 0, 0, 0, 5, 0])
        self.assertEqual(rec[110:115], b"init\0")
        # 110-byte header + 5-byte name = 115, padded to 116; data 5 padded to 8.
        self.assertEqual(rec[115:116], b"\0")
        self.assertEqual(rec[116:121], b"abcde")
        self.assertEqual(len(rec), 124)
        self.assertEqual(rec[121:], b"\0\0\0")

    def test_aligned_record_gets_no_padding(self):
        # "ab\0" makes the header 113: padded to 116; 4 data bytes: none after.
        rec = lg.newc_entry("ab", stat.S_IFREG | 0o644, b"wxyz")
        self.assertEqual(len(rec), 120)
        self.assertEqual(rec[116:], b"wxyz")

    def test_archive_ends_with_trailer(self):
        data = lg.newc_archive([("a", stat.S_IFREG | 0o644, b"x", (0, 0))])
        self.assertTrue(data.endswith(b"TRAILER!!!\0\0\0\0"))
        self.assertEqual(len(data) % 4, 0)
        self.assertEqual(data.count(b"070701"), 2)

    def test_gnu_cpio_reads_every_kind(self):
        entries = [("d", stat.S_IFDIR | 0o755, b"", (0, 0)),
                   ("d/f", stat.S_IFREG | 0o640, b"hello\n", (0, 0)),
                   ("d/l", stat.S_IFLNK | 0o777, b"/d/f", (0, 0)),
                   ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1))]
        lines = cpio_list(lg.newc_archive(entries))
        self.assertEqual(len(lines), 4)
        self.assertRegex(lines[0], r"^drwxr-xr-x +1 0 +0 +0 .* d$")
        self.assertRegex(lines[1], r"^-rw-r----- +1 0 +0 +6 .* d/f$")
        self.assertRegex(lines[2], r"^lrwxrwxrwx +1 0 +0 +4 .* d/l -> /d/f$")
        self.assertRegex(lines[3], r"^crw------- +1 0 +0 +5, +1 .* dev/console$")

    def test_gnu_cpio_extracts_contents(self):
        data = lg.newc_archive([("a", stat.S_IFREG | 0o755, b"#!/bin/sh\necho hi\n", (0, 0)),
                                ("b", stat.S_IFREG | 0o644, bytes(range(256)) * 3, (0, 0))])
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([CPIO, "-id", "--quiet"], input=data, cwd=tmp, check=True)
            with open(os.path.join(tmp, "a"), "rb") as f:
                self.assertEqual(f.read(), b"#!/bin/sh\necho hi\n")
            with open(os.path.join(tmp, "b"), "rb") as f:
                self.assertEqual(f.read(), bytes(range(256)) * 3)
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(tmp, "a")).st_mode), 0o755)

    def test_truncated_archive_is_refused_by_cpio(self):
        data = lg.newc_archive([("a", stat.S_IFREG | 0o644, b"x" * 100, (0, 0))])
        proc = subprocess.run([CPIO, "-t", "--quiet"], input=data[:150],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        self.assertNotEqual(proc.returncode, 0)

    def test_initramfs_entries(self):
        entries = lg.initramfs_entries(b"BB", ["/bin/sh", "/sbin/poweroff", "/bin/busybox",
                                               "/usr/bin/nproc"], "#!/bin/sh\n")
        by_name = {name: (mode, data, rdev) for name, mode, data, rdev in entries}
        self.assertEqual(by_name["bin/busybox"], (stat.S_IFREG | 0o755, b"BB", (0, 0)))
        for link in ("bin/sh", "sbin/poweroff", "usr/bin/nproc"):
            self.assertEqual(by_name[link][:2], (stat.S_IFLNK | 0o777, b"/bin/busybox"))
        self.assertEqual(by_name["dev/console"][2], (5, 1))
        self.assertEqual(by_name["dev/ttyS0"][2], (4, 64))
        self.assertEqual(by_name["init"][:2], (stat.S_IFREG | 0o755, b"#!/bin/sh\n"))
        # busybox is a file, never a link to itself; a directory precedes its files.
        self.assertEqual([n for n in by_name if n == "bin/busybox"], ["bin/busybox"])
        names = [e[0] for e in entries]
        self.assertLess(names.index("usr/bin"), names.index("usr/bin/nproc"))


def fake_ko(modinfo, sections=(".text",)):
    """A minimal ELF64 relocatable with a .modinfo section holding @modinfo (NUL-separated
    key=value strings, as modpost writes them), other empty sections named @sections
    before it, and the section-name table last."""
    names = [""] + list(sections) + [".modinfo", ".shstrtab"]
    shstrtab = b"".join(n.encode() + b"\0" for n in names)
    name_off = [shstrtab.index(n.encode() + b"\0") if n else 0 for n in names]
    body = b"\x7fELF\x02\x01\x01" + bytes(64 - 7)      # e_ident, rest of the header
    data_off = len(body)
    body += modinfo + shstrtab
    shoff = len(body)
    headers = b""
    for i, _ in enumerate(names):
        off, size = 0, 0
        if names[i] == ".modinfo":
            off, size = data_off, len(modinfo)
        elif names[i] == ".shstrtab":
            off, size = data_off + len(modinfo), len(shstrtab)
        headers += struct.pack("<IIQQQQIIQQ", name_off[i], 1, 0, 0, off, size, 0, 0, 1, 0)
    elf = bytearray(body + headers)
    struct.pack_into("<Q", elf, 0x28, shoff)
    struct.pack_into("<HHH", elf, 0x3A, 64, len(names), len(names) - 1)
    return bytes(elf)


class ModuleDependencies(unittest.TestCase):
    """depends= from .modinfo, and the load order built from it (no depmod here)."""

    def test_depends_read_from_modinfo(self):
        ko = fake_ko(b"license=GPL\0depends=net_failover,virtio,virtio_ring\0name=virtio_net\0")
        self.assertEqual(lg.module_depends(ko), ["net_failover", "virtio", "virtio_ring"])

    def test_empty_depends_and_dashes(self):
        self.assertEqual(lg.module_depends(fake_ko(b"depends=\0name=virtio_ring\0")), [])
        self.assertEqual(lg.module_depends(fake_ko(b"depends=crc32c-intel\0")),
                         ["crc32c_intel"])
        # No depends= field at all (an old module): nothing first.
        self.assertEqual(lg.module_depends(fake_ko(b"license=GPL\0")), [])

    def test_modinfo_found_among_other_sections(self):
        ko = fake_ko(b"depends=a\0", sections=(".text", ".data", ".modinfo_not", ".bss"))
        self.assertEqual(lg.module_depends(ko), ["a"])

    def test_not_elf_or_no_modinfo_refused(self):
        with self.assertRaisesRegex(ValueError, "not an ELF64"):
            lg.module_depends(b"\x7fELF\x01" + bytes(64))
        ko = fake_ko(b"depends=a\0").replace(b".modinfo\0", b".modinfX\0")
        with self.assertRaisesRegex(ValueError, "no .modinfo"):
            lg.module_depends(ko)

    def test_order_puts_dependencies_first(self):
        depends = {"virtio_mmio": ["virtio", "virtio_ring"], "virtio_net":
                   ["net_failover", "virtio", "virtio_ring"], "net_failover": ["failover"],
                   "failover": [], "virtio": [], "virtio_ring": [],
                   "virtio_blk": ["virtio", "virtio_ring"]}
        order = lg.module_order(["virtio_mmio", "virtio_net", "virtio_blk"], depends)
        self.assertEqual(order, ["virtio", "virtio_ring", "virtio_mmio", "failover",
                                 "net_failover", "virtio_net", "virtio_blk"])

    def test_order_of_a_diamond_lists_each_once(self):
        depends = {"top": ["left", "right"], "left": ["base"], "right": ["base"], "base": []}
        self.assertEqual(lg.module_order(["top"], depends), ["base", "left", "right", "top"])

    def test_cycle_and_missing_refused(self):
        with self.assertRaisesRegex(ValueError, "cycle: a -> b -> a"):
            lg.module_order(["a"], {"a": ["b"], "b": ["a"]})
        with self.assertRaisesRegex(ValueError, "module c \\(needed by b\\) not found"):
            lg.module_order(["a"], {"a": ["b"], "b": ["c"]})

    def test_net_entries_replace_init_and_add_modules(self):
        base = lg.initramfs_entries(b"BB", ["/bin/sh"], lg.SHELL_INIT)
        entries = lg.net_entries(base, [("virtio", b"V"), ("virtio_net", b"N")], b"AGENT")
        by_name = {name: (mode, data) for name, mode, data, _ in entries}
        self.assertEqual([e[0] for e in entries].count("init"), 1)
        self.assertEqual(by_name["lib/modules/virtio.ko"], (stat.S_IFREG | 0o644, b"V"))
        self.assertEqual(by_name["lib/modules/virtio_net.ko"], (stat.S_IFREG | 0o644, b"N"))
        init = by_name["init"][1].decode()
        self.assertIn("for m in virtio virtio_net; do\n", init)
        self.assertIn("insmod /lib/modules/$m.ko", init)
        self.assertIn('tally.ip=*) ip="${word#tally.ip=}"', init)
        self.assertTrue(init.endswith("exec setsid cttyhack sh -l\n"))
        names = [e[0] for e in entries]
        self.assertLess(names.index("lib/modules"), names.index("lib/modules/virtio.ko"))
        self.assertEqual(by_name["bin/busybox"][1], b"BB")
        self.assertEqual(by_name["sbin/tally-agent"], (stat.S_IFREG | 0o755, b"AGENT"))

    def test_net_init_runs_under_a_shell(self):
        # The script itself, with its mounts and the final exec stubbed: it parses
        # tally.ip= from a command line and runs the ip commands that use it.
        init = lg.NET_INIT.format(modules="a b", failed=lg.INSMOD_FAILED,
                                  agent_done=lg.AGENT_DONE)
        with tempfile.TemporaryDirectory() as tmp:
            script = init.replace("/proc/cmdline", os.path.join(tmp, "cmdline"))
            script = script.replace("/proc/sys/net/ipv4/neigh/eth0/delay_first_probe_time",
                                    os.path.join(tmp, "probe"))
            script = script.replace("exec setsid cttyhack sh -l", "echo shell")
            with open(os.path.join(tmp, "cmdline"), "w") as f:
                f.write("quiet tally.ip=10.0.0.2/24 ipv6.disable=1\n")
            stub = "".join(f"{c}() {{ echo {c} \"$@\"; }}\n"
                           for c in ("mount", "stty", "insmod", "ip"))
            out = subprocess.run(["sh", "-c", stub + script.split("\n", 1)[1]],
                                 stdout=subprocess.PIPE, text=True, check=True).stdout
            with open(os.path.join(tmp, "probe")) as f:
                self.assertEqual(f.read(), "3600\n")
        lines = out.splitlines()
        self.assertEqual([ln for ln in lines if ln.startswith("insmod")],
                         ["insmod /lib/modules/a.ko", "insmod /lib/modules/b.ko"])
        self.assertEqual([ln for ln in lines if ln.startswith("ip ")],
                         ["ip addr add 10.0.0.2/24 dev eth0", "ip link set eth0 up"])
        self.assertEqual(lines[-2:], ["tally-linux: eth0 10.0.0.2/24", "shell"])


class FetchAndBuild(unittest.TestCase):
    """The real thing: Debian's packages into build/linux, twice (the second run is cached)."""

    @classmethod
    def setUpClass(cls):
        cls.first = cls.paths()
        cls.second = cls.paths()

    @staticmethod
    def paths():
        proc = subprocess.run([TOOL, "paths"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, check=False, timeout=FETCH_TIMEOUT_S)
        if proc.returncode != 0:
            raise RuntimeError(f"tools/linux-guest paths failed: {proc.stderr}")
        return dict(line.split("=", 1) for line in proc.stdout.splitlines())

    def test_paths_and_idempotence(self):
        self.assertEqual(set(self.first), {"kernel", "initrd", "initrd_poweroff", "initrd_net",
                                           "cmdline", "net_cmdline", "bare_cmdline"})
        self.assertEqual(self.first, self.second)
        self.assertEqual(self.first["net_cmdline"], self.first["cmdline"] + " ipv6.disable=1")
        for key in ("kernel", "initrd", "initrd_poweroff", "initrd_net"):
            self.assertTrue(self.first[key].startswith(os.path.join(ROOT, "build", "linux")))

    def test_cached_run_changes_nothing(self):
        before = {k: os.stat(self.first[k]).st_mtime_ns for k in ("kernel", "initrd")}
        self.paths()
        self.assertEqual(before, {k: os.stat(self.first[k]).st_mtime_ns
                                  for k in ("kernel", "initrd")})

    def test_kernel_is_a_bzimage(self):
        with open(self.first["kernel"], "rb") as f:
            head = f.read(0x210)
        self.assertEqual(head[0x1FE:0x200], b"\x55\xaa")
        self.assertEqual(head[0x202:0x206], b"HdrS")
        # Boot protocol 2.10 or later (the 64-bit fields Tally's loader reads).
        self.assertGreaterEqual(int.from_bytes(head[0x206:0x208], "little"), 0x020A)
        self.assertGreater(os.path.getsize(self.first["kernel"]), 4 << 20)

    def test_archives(self):
        for key, marker_in in (("initrd", "etc/profile"), ("initrd_poweroff", "init")):
            with open(self.first[key], "rb") as f:
                data = f.read()
            lines = cpio_list(data)
            names = {line.split()[-1] if " -> " not in line else line.split()[-3]
                     for line in lines}
            for name in ("init", "bin/busybox", "bin/sh", "sbin/poweroff", "bin/mount",
                         "dev/console"):
                self.assertIn(name, names, key)
            busybox = next(line for line in lines if line.endswith(" bin/busybox"))
            self.assertEqual(int(busybox.split()[4]),
                             os.path.getsize(os.path.join(ROOT, "build", "linux", "busybox")))
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run([CPIO, "-id", "--quiet", "init", "etc/profile"], input=data,
                               cwd=tmp, check=True)
                with open(os.path.join(tmp, marker_in)) as f:
                    self.assertIn(lg.INIT_MARKER, f.read())
                with open(os.path.join(tmp, "init")) as f:
                    init = f.read()
            self.assertTrue(init.startswith("#!/bin/sh\n"))
            if key == "initrd":
                self.assertRegex(init, r"mount -t proc proc /proc\n")
                self.assertRegex(init, r"mount -t devtmpfs devtmpfs /dev\n")
                self.assertRegex(init, r"exec setsid cttyhack sh -l\n$")
            else:
                self.assertTrue(init.endswith("exec poweroff -f\n"))

    def test_net_archive(self):
        # The shell archive's files, the seven modules the NIC and disk need, and an
        # /init that loads each after everything its real .modinfo says it needs.
        with open(self.first["initrd_net"], "rb") as f:
            data = f.read()
        lines = cpio_list(data)
        names = {line.split()[-1] for line in lines if " -> " not in line}
        mods = {"virtio", "virtio_ring", "virtio_mmio", "virtio_net", "net_failover",
                "failover", "virtio_blk"}
        self.assertEqual({n for n in names if n.startswith("lib/modules/")},
                         {f"lib/modules/{m}.ko" for m in mods})
        for name in ("bin/busybox", "etc/profile", "dev/console"):
            self.assertIn(name, names)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([CPIO, "-id", "--quiet"], input=data, cwd=tmp, check=True)
            with open(os.path.join(tmp, "init")) as f:
                m = re.search(r"^for m in ([\w ]+); do$", f.read(), re.MULTILINE)
            order = m.group(1).split()
            self.assertEqual(set(order), mods)
            for i, name in enumerate(order):
                with open(os.path.join(tmp, "lib", "modules", name + ".ko"), "rb") as f:
                    ko = f.read()
                self.assertIn(f"name={name}".encode(), lg.elf_section(ko, ".modinfo"))
                for dep in lg.module_depends(ko):
                    self.assertIn(dep, order[:i], f"{name} needs {dep} first")
        self.assertLess(order.index("failover"), order.index("net_failover"))
        self.assertLess(order.index("net_failover"), order.index("virtio_net"))

    def test_busybox_is_static(self):
        # ELF64 program headers: a dynamically linked binary has a PT_INTERP (3) one.
        with open(os.path.join(ROOT, "build", "linux", "busybox"), "rb") as f:
            elf = f.read()
        self.assertEqual(elf[:5], b"\x7fELF\x02")
        phoff = int.from_bytes(elf[0x20:0x28], "little")
        size, count = (int.from_bytes(elf[o:o + 2], "little") for o in (0x36, 0x38))
        types = [int.from_bytes(elf[phoff + i * size:phoff + i * size + 4], "little")
                 for i in range(count)]
        self.assertIn(1, types)             # PT_LOAD
        self.assertNotIn(3, types)          # no PT_INTERP

    def test_fresh_folder_fetches_the_same_kernel(self):
        # A fresh clone has no cache: fetch into an empty folder, as CI does.
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([TOOL, "--dir", tmp, "fetch"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=True, timeout=FETCH_TIMEOUT_S)
            debs = os.listdir(os.path.join(tmp, "debs"))
            self.assertEqual(len([d for d in debs if d.startswith("linux-image-")]), 2)
            self.assertEqual(len([d for d in debs if d.startswith("busybox-static_")]), 1)
            for name in ("bzImage", "busybox"):
                with open(os.path.join(tmp, name), "rb") as a, \
                        open(os.path.join(ROOT, "build", "linux", name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), name)

if __name__ == "__main__":
    unittest.main()
