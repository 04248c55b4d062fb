# SPDX-License-Identifier: MIT
"""Host tests of the UEFI loader's build (boot/efi/, the Makefile's "UEFI loader" rules).

What a firmware needs from BOOTX64.EFI before it runs one instruction of it,
read back from the file make wrote in a scratch build folder:
- a PE32+ image (PE/COFF: "MZ", "PE\\0\\0", machine x86-64, optional header
  magic 0x20b) of subsystem EFI application (UEFI 2.10 section 2.1.1), with
  its entry point inside .text and a .reloc section (firmware loads it at
  any address and applies the base relocations);
- every symbol resolved at link time (gnu-efi links a shared object, where
  an undefined symbol would otherwise become a null call at boot);
- the trampoline (boot/efi/enter32.asm), which main.c copies to another
  page before running it, carries no relocation: only RIP-relative and
  register operands;
- a changed EFI_CFLAGS rebuilds the loader, and plain `make` builds it and
  the ESP image.  The boots themselves are tests/system/efi_scenarios.py.
run.py runs these as `host-tools`; alone: python3 -m unittest tests/system/test_efi_build.py
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# PE/COFF layout (Microsoft PE format, "MS-DOS stub", "COFF file header", "Optional header").
DOS_MAGIC = b"MZ"
PE_OFFSET_AT = 0x3C
PE_SIGNATURE = b"PE\0\0"
COFF_HEADER = struct.Struct("<HHIIIHH")   # machine, sections, time, symtab, symbols, opt size, flags
IMAGE_FILE_MACHINE_AMD64 = 0x8664
PE32_PLUS_MAGIC = 0x20B
OPT_ENTRY_AT = 16                          # AddressOfEntryPoint in the optional header
OPT_SUBSYSTEM_AT = 68                      # Subsystem in a PE32+ optional header
IMAGE_SUBSYSTEM_EFI_APPLICATION = 10
SECTION_HEADER = struct.Struct("<8sIIIIIIHHI")  # name, vsize, vaddr, raw size, raw ptr, ...


def make(*args, timeout=300):
    """(status, output) of make in the checkout."""
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=timeout)
    return proc.returncode, proc.stdout


def pe_headers(data):
    """(machine, optional-header magic, entry RVA, subsystem, {section name: (vaddr, vsize)})."""
    assert data[:2] == DOS_MAGIC, "no MS-DOS header"
    (pe,) = struct.unpack_from("<I", data, PE_OFFSET_AT)
    assert data[pe:pe + 4] == PE_SIGNATURE, "no PE signature"
    machine, nsect, _, _, _, opt_size, _ = COFF_HEADER.unpack_from(data, pe + 4)
    opt = pe + 4 + COFF_HEADER.size
    (magic,) = struct.unpack_from("<H", data, opt)
    (entry,) = struct.unpack_from("<I", data, opt + OPT_ENTRY_AT)
    (subsystem,) = struct.unpack_from("<H", data, opt + OPT_SUBSYSTEM_AT)
    sections = {}
    for i in range(nsect):
        fields = SECTION_HEADER.unpack_from(data, opt + opt_size + i * SECTION_HEADER.size)
        sections[fields[0].rstrip(b"\0").decode()] = (fields[2], fields[1])
    return machine, magic, entry, subsystem, sections


class EfiApp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tally-efi.")
        cls.build = os.path.join(cls.tmp, "b")
        cls.app = os.path.join(cls.build, "efi", "BOOTX64.EFI")
        status, out = make(f"BUILD={cls.build}", cls.app)
        assert status == 0, out
        with open(cls.app, "rb") as f:
            cls.data = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_a_pe32_plus_efi_application(self):
        machine, magic, entry, subsystem, sections = pe_headers(self.data)
        self.assertEqual(machine, IMAGE_FILE_MACHINE_AMD64)
        self.assertEqual(magic, PE32_PLUS_MAGIC)
        self.assertEqual(subsystem, IMAGE_SUBSYSTEM_EFI_APPLICATION)
        self.assertIn(".reloc", sections)
        text_at, text_size = sections[".text"]
        self.assertTrue(text_at <= entry < text_at + text_size,
                        f"entry 0x{entry:x} outside .text 0x{text_at:x}+0x{text_size:x}")

    def test_every_symbol_is_resolved(self):
        so = os.path.join(self.build, "efi", "BOOTX64.so")
        out = subprocess.run(["nm", "-u", so], stdout=subprocess.PIPE, text=True,
                             check=True).stdout
        self.assertEqual(out.strip(), "", "undefined symbols")
        syms = subprocess.run(["nm", so], stdout=subprocess.PIPE, text=True,
                              check=True).stdout.split()
        for name in ("efi_main", "enter32_start", "enter32_end", "efi_cfg_parse",
                     "efi_elf_check", "efi_mmap_convert", "mb2_info_finish"):
            self.assertIn(name, syms)

    def test_the_trampoline_has_no_relocation(self):
        obj = os.path.join(self.build, "efi", "boot", "efi", "enter32.o")
        out = subprocess.run(["objdump", "-r", obj], stdout=subprocess.PIPE, text=True,
                             check=True).stdout
        self.assertNotIn("RELOCATION RECORDS", out)
        self.assertIn("elf64-x86-64", out)

    def test_a_changed_flag_rebuilds_the_loader(self):
        status, out = make("-q", f"BUILD={self.build}", self.app)
        self.assertEqual(status, 0, f"just built: {out}")
        status, out = make("-q", f"BUILD={self.build}", "EFI_CFLAGS=-O1", self.app)
        self.assertEqual(status, 1, f"EFI_CFLAGS changed: must rebuild: {out}")


class DefaultGoal(unittest.TestCase):
    def test_plain_make_builds_the_loader_and_the_esp_image(self):
        status, out = make("-n", "BUILD=b-efi-default-goal", timeout=120)
        self.assertEqual(status, 0, out)
        self.assertIn("b-efi-default-goal/efi/BOOTX64.EFI", out)
        self.assertIn("tools/mkesp -o b-efi-default-goal/tally-esp.img", out)
        self.assertIn("b-efi-default-goal/tally.iso", out)


if __name__ == "__main__":
    unittest.main()
