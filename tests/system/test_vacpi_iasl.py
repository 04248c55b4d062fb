# SPDX-License-Identifier: MIT
"""The per-domain ACPI tables (drivers/vdev/vacpi.c) as ACPICA's iasl reads them.

tests/system/vacpi_dump.c (built here with the host compiler over the real
sources) writes each table a domain would get, found from the RSDP as an OS
finds it.  Each is disassembled with `iasl -d` (no error, warning or
checksum complaint allowed), its fields are checked in the disassembly, and
the disassembly is compiled back with iasl and must give the same bytes
(but for the compiler ID iasl stamps in, and so the checksum).  iasl
20200925 cannot disassemble a bare RSDP, so the RSDP is compiled by iasl
from its own template with our field values and must come out identical,
checksums included.  Configurations: 1, 2 and 8 vCPUs, device lists of 1 and 3.
run.py runs these as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SOURCES = ["tests/system/vacpi_dump.c", "drivers/vdev/vacpi.c", "drivers/vdev/aml.c",
           "drivers/vdev/virtio_mmio.c", "drivers/vdev/virtq.c", "kernel/hcall_args.c"]
TABLES = ["xsdt", "facp", "apic", "dsdt"]
CREATOR = slice(28, 36)      # ACPI header: creator ID and revision, iasl's own on compile
CHECKSUM = 9
IASL_CLEAN = re.compile(r"0 Errors, 0 Warnings, 0 Remarks")
# Where vacpi_dump.c puts its test devices: VRnn, LNRO0005, 0x200 bytes each, GSI 16 + n.
VIRTIO_BASE, VIRTIO_SIZE, VIRTIO_GSI0 = 0xFEB00000, 0x200, 16
# A domain's own (include/tally/vplatform.h): VRT<slot>, one page per slot.
DOMAIN_LAYOUT = ("VRT%u", 0xFED00000, 0x1000)


def run(argv, cwd):
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60)


def field(dsl, name):
    """Every value of the disassembled data-table field @name, in order."""
    return re.findall(r"(?:\]|^)\s+%s : (\S+)" % re.escape(name), dsl, re.M)


class IaslTables(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.iasl = shutil.which("iasl")
        if not cls.iasl:
            raise AssertionError("iasl not found: run tools/deps (Debian package acpica-tools)")
        cls.tmp = tempfile.mkdtemp(prefix="vacpi-iasl-")
        cls.dump = os.path.join(cls.tmp, "vacpi_dump")
        cc = run(["gcc", "-std=gnu11", "-g", "-fsanitize=address,undefined",
                  "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror",
                  "-DTALLY_HOST_TEST", "-Iinclude", "-Iarch/x86_64/include", "-o", cls.dump]
                 + SOURCES, ROOT)
        if cc.returncode:
            raise AssertionError("building vacpi_dump failed:\n" + cc.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tables(self, vcpus, devices=0, domain=False):
        """Dump the tables of a domain; returns (dir, {name: bytes}, {name: dsl text})."""
        out = os.path.join(self.tmp, "v%u-d%u%s" % (vcpus, devices, "-domain" * domain))
        os.makedirs(out, exist_ok=True)
        r = run([self.dump, out, str(vcpus), "domain" if domain else str(devices)], ROOT)
        self.assertEqual(r.returncode, 0, r.stderr)
        raw, dsl = {}, {}
        for name in ["rsdp"] + TABLES:
            with open(os.path.join(out, name + ".dat"), "rb") as f:
                raw[name] = f.read()
        for name in TABLES:
            self.assertEqual(struct.unpack_from("<I", raw[name], 4)[0], len(raw[name]), name)
            self.assertEqual(sum(raw[name]) & 0xFF, 0, name + " checksum")
            d = run([self.iasl, "-d", name + ".dat"], out)
            text = d.stdout + d.stderr
            self.assertEqual(d.returncode, 0, text)
            self.assertNotRegex(text, r"(?i)error|warning|invalid|incorrect", name)
            with open(os.path.join(out, name + ".dsl")) as f:
                dsl[name] = f.read()
            self.assertNotIn("Incorrect", dsl[name], name)
            self.assertNotIn("****", dsl[name], name)
        return out, raw, dsl

    def assert_recompiles(self, out, raw):
        """iasl compiles each disassembly back to our bytes (creator and checksum aside)."""
        for name in TABLES:
            c = run([self.iasl, "-oa", "-p", name + "-re", name + ".dsl"], out)
            self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
            self.assertRegex(c.stdout + c.stderr, IASL_CLEAN, name)
            with open(os.path.join(out, name + "-re.aml"), "rb") as f:
                again = bytearray(f.read())
            self.assertEqual(sum(again) & 0xFF, 0, name)
            ours = bytearray(raw[name])
            for b in (ours, again):
                b[CREATOR] = bytes(8)
                b[CHECKSUM] = 0
            self.assertEqual(again, ours, name)

    def assert_rsdp(self, out, raw):
        rsdp = raw["rsdp"]
        self.assertEqual(len(rsdp), 36)
        self.assertEqual(sum(rsdp[:20]) & 0xFF, 0)
        self.assertEqual(sum(rsdp) & 0xFF, 0)
        t = run([self.iasl, "-T", "RSDP"], out)
        self.assertEqual(t.returncode, 0, t.stdout + t.stderr)
        with open(os.path.join(out, "rsdp.asl")) as f:
            asl = f.read()
        values = {
            "Oem ID": '"%s"' % rsdp[9:15].decode(),
            "Revision": "%02X" % rsdp[15],
            "RSDT Address": "%08X" % struct.unpack_from("<I", rsdp, 16)[0],
            "Length": "%08X" % struct.unpack_from("<I", rsdp, 20)[0],
            "XSDT Address": "%016X" % struct.unpack_from("<Q", rsdp, 24)[0],
            "Checksum": "00", "Extended Checksum": "00",   # iasl computes both
        }
        for name, value in values.items():
            asl, n = re.subn(r"(\]\s+%s : ).*" % re.escape(name),
                             lambda m: m.group(1) + value, asl)
            self.assertEqual(n, 1, name)
        with open(os.path.join(out, "rsdp.asl"), "w") as f:
            f.write(asl)
        c = run([self.iasl, "-p", "rsdp-re", "rsdp.asl"], out)
        self.assertRegex(c.stdout + c.stderr, IASL_CLEAN)
        with open(os.path.join(out, "rsdp-re.aml"), "rb") as f:
            self.assertEqual(f.read(), rsdp)
        self.assertEqual(struct.unpack_from("<Q", rsdp, 24)[0], 0xE0000 + 0x30)

    def assert_madt(self, dsl, vcpus):
        types = field(dsl, "Subtable Type")
        self.assertEqual(types.count("00"), vcpus)
        self.assertEqual(types, ["00"] * vcpus + ["01", "02", "02", "04"])
        self.assertEqual(field(dsl, "Local Apic ID"), ["%02X" % i for i in range(vcpus)])
        self.assertEqual(field(dsl, "Processor ID"), ["%02X" % i for i in range(vcpus)] + ["FF"])
        self.assertEqual(field(dsl, "Processor Enabled"), ["1"] * vcpus)
        self.assertEqual(field(dsl, "Local Apic Address"), ["FEE00000"])
        self.assertEqual(field(dsl, "PC-AT Compatibility"), ["0"])
        self.assertEqual(field(dsl, "Address"), ["FEC00000"])
        self.assertEqual(field(dsl, "Source"), ["00", "09"])
        self.assertEqual(field(dsl, "Interrupt"), ["00000000", "00000002", "00000009"])
        self.assertEqual(field(dsl, "Interrupt Input LINT"), ["01"])

    def assert_fadt(self, dsl):
        self.assertEqual(field(dsl, "Revision"), ["06"])
        self.assertEqual(field(dsl, "FADT Minor Revision"), ["04"])
        self.assertEqual(field(dsl, "Hardware Reduced (V5)"), ["1"])
        self.assertEqual(field(dsl, "Reset Register Supported (V2)"), ["1"])
        self.assertEqual(field(dsl, "VGA Not Present (V4)"), ["1"])
        self.assertEqual(field(dsl, "MSI Not Supported (V4)"), ["1"])
        self.assertEqual(field(dsl, "CMOS RTC Not Present (V5)"), ["0"])
        self.assertEqual(field(dsl, "8042 Present on ports 60/64 (V2)"), ["0"])
        self.assertEqual(field(dsl, "SCI Interrupt"), ["0009"])
        self.assertEqual(field(dsl, "Value to cause reset"), ["06"])
        # GAS addresses in order: reset, the eight X_ blocks (empty), sleep control and status.
        self.assertEqual(field(dsl, "Address")[-11:],
                         ["0000000000000CF9"] + ["0000000000000000"] * 8 +
                         ["0000000000000600", "0000000000000601"])
        space = field(dsl, "Space ID")
        self.assertEqual((space[0], space[-2], space[-1]), ("01", "01", "01"))   # SystemIO
        self.assertEqual(field(dsl, "Encoded Access Width")[-1], "01")
        dsdt32, x_dsdt = field(dsl, "DSDT Address")
        self.assertEqual(dsdt32, "00000000")        # X_DSDT is set (ACPI 6.5, table 5.9)
        self.assertTrue(0xE0000 <= int(x_dsdt, 16) < 0xF0000 and int(x_dsdt, 16) % 16 == 0)

    def assert_dsdt(self, dsl, devices, layout=("VR%02u", VIRTIO_BASE, VIRTIO_SIZE)):
        self.assertRegex(dsl, r"Name \(\\_S5, Package \(0x04\)[^{]*\{\s*0x05,\s*0x05,\s*Zero,\s*Zero")
        com1 = re.search(r"Device \(COM1\)(.*?)\n        \}", dsl, re.S)
        self.assertIsNotNone(com1, dsl)
        self.assertIn('EisaId ("PNP0501")', com1.group(1))
        self.assertRegex(com1.group(1), r"_UID, One")
        self.assertRegex(com1.group(1), r"IO \(Decode16,\s*0x03F8,\s*// Range Minimum\s*"
                         r"0x03F8,\s*// Range Maximum\s*0x01,\s*// Alignment\s*0x08,")
        self.assertRegex(com1.group(1), r"IRQNoFlags \(\)\s*\{4\}")
        name, base, size = layout
        found = re.findall(r"Device \((VR\w\w)\)(.*?)\n        \}", dsl, re.S)
        self.assertEqual([n for n, _ in found], [name % i for i in range(devices)])
        for i, (_, body) in enumerate(found):
            self.assertIn('Name (_HID, "LNRO0005")', body)
            self.assertRegex(body, r"Memory32Fixed \(ReadWrite,\s*0x%08X,\s*// Address Base\s*"
                             r"0x%08X," % (base + i * size, size))
            self.assertRegex(body, r"Interrupt \(ResourceConsumer, Level, ActiveHigh, Exclusive"
                             r"[^{]*\{\s*0x%08X," % (VIRTIO_GSI0 + i))

    def check(self, vcpus, devices=0, domain=False):
        out, raw, dsl = self.tables(vcpus, devices, domain)
        self.assert_rsdp(out, raw)
        self.assertEqual(struct.unpack_from("<2Q", raw["xsdt"], 36),
                         (0xE0000 + 0x70, 0xE0000 + 0x190))
        self.assertEqual(field(dsl["xsdt"], "ACPI Table Address   0"), ["00000000000E0070"])
        self.assert_fadt(dsl["facp"])
        self.assert_madt(dsl["apic"], vcpus)
        if domain:
            self.assert_dsdt(dsl["dsdt"], devices, DOMAIN_LAYOUT)
        else:
            self.assert_dsdt(dsl["dsdt"], devices)
        self.assert_recompiles(out, raw)

    def test_one_vcpu(self):
        self.check(1)

    def test_two_vcpus(self):
        self.check(2)

    def test_eight_vcpus(self):
        self.check(8)

    def test_device_list(self):
        self.check(2, 3)

    def test_one_device(self):
        """\\_SB's body is then 64-127 bytes: a two-byte PkgLength with a small value."""
        self.check(1, 1)

    def test_domain_with_nic_and_disk(self):
        """A domain's own list (virtio_mmio_acpi_devices()): VRT0 the NIC, VRT1 the disk."""
        self.check(2, 2, domain=True)

    def test_a_broken_table_is_caught(self):
        """The checks above can fail: a table with a wrong checksum is reported by iasl."""
        out, raw, _ = self.tables(1)
        bad = bytearray(raw["apic"])
        bad[CHECKSUM] ^= 0x55
        with open(os.path.join(out, "bad.dat"), "wb") as f:
            f.write(bad)
        run([self.iasl, "-d", "bad.dat"], out)
        with open(os.path.join(out, "bad.dsl")) as f:
            self.assertIn("Incorrect checksum", f.read())


if __name__ == "__main__":
    unittest.main()
