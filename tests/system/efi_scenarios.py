# SPDX-License-Identifier: MIT
"""Tally's own UEFI loader (boot/efi/, EFI/BOOT/BOOTX64.EFI) under QEMU TCG and OVMF.

Each scenario boots a disk image that tools/mkesp builds at test time from
BUILD/tally.elf, BUILD/efi/BOOTX64.EFI and the scenario's modules: one
good boot, and three images spoiled on purpose (ESP_FAULTS) that the
loader must refuse with its one-line message on ConOut (which OVMF copies
to COM1) and a return to the firmware, whose boot manager then reports
the failed boot option (`BdsDxe: failed to start Boot0002 ...`) and goes on
to the next; the run ends a second after that line.
"""

import os
import subprocess

from checks import (BOOT_DONE, NOVMX_EXIT_LINE, NOVMX_WARNING, QEMU_NOVMX_EXIT,  # noqa: E402
                    Count, EndedBy, InOrder, Line, NoLine, Number, smp)
from scenario_base import Blob, Scenario  # noqa: E402
import emu  # noqa: E402  (tools/ is on the path: scenario_base put it there)

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MKESP = os.path.join(ROOT, "tools", "mkesp")
LOADER_IN_BUILD = os.path.join("efi", "BOOTX64.EFI")
# mkesp's FAT partition starts 1 MiB into the disk: mtools reads it at IMG@@offset.
ESP_PART_OFFSET = 1024 * 1024

ESP_GOOD = "esp"
ESP_MISSING_MODULE = "esp:missing-module"
ESP_TRUNCATED_KERNEL = "esp:truncated-kernel"
ESP_BAD_CFG = "esp:bad-cfg"
ESP_FAULTS = (ESP_MISSING_MODULE, ESP_TRUNCATED_KERNEL, ESP_BAD_CFG)

LOADER_NAME = "Tally EFI loader"
# No NIC: after a refused boot OVMF would otherwise spend a minute on PXE.
EFI_MACHINE = emu.QemuMachine(cpus=2, mem_mib=256, uefi=True, extra=("-nic", "none"))
# OVMF's boot manager (BdsDxe) on the disk's boot option coming back with an error.
FIRMWARE_GOES_ON = r'^BdsDxe: failed to start Boot\d+ "UEFI QEMU HARDDISK [^"]*" from '
HANDOVER = r"^tally-efi: starting /tally\.elf with (\d+) modules$"
# The first line Tally prints.
TALLY_STARTED = r"\[c0\] Tally \d+\.\d+\.\d+ x86-64 microhypervisor"

MOD0 = (Blob("mod0.bin", 12345), "name=first arg1  arg2")
MOD1 = (Blob("mod1.bin", 3 * 4096 + 1, random=True), "second #not-a-comment x=1")
# Line 3 misspells module2: the parser names the line and the word.
BAD_CFG = "# a config with a typo\nmultiboot2 /tally.elf exit_when_done\nmodul2 /mods/0-mod0.bin\n"


def loader_path(build):
    """BUILD/efi/BOOTX64.EFI, or raise RuntimeError naming what to run."""
    path = os.path.join(build, LOADER_IN_BUILD)
    if not os.path.isfile(path):
        raise RuntimeError(f"{path} missing (run make)")
    return path


def _run(argv, what):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (status {proc.returncode}):\n{proc.stdout}")
    return proc.stdout


def truncated_copy(kernel, run_dir):
    """A copy of @kernel cut to half its size: its headers survive, its segments do not."""
    with open(kernel, "rb") as f:
        data = f.read()
    path = os.path.join(run_dir, "tally-truncated.elf")
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])
    return path


def make_esp(fault, kernel, build, run_dir, cmdline, mods):
    """Build run_dir/tally-esp.img with tools/mkesp, spoiled as @fault says; its path.

    The tally.cfg written is kept beside it as run_dir/tally.cfg.
    """
    image = os.path.join(run_dir, "tally-esp.img")
    if fault == ESP_TRUNCATED_KERNEL:
        kernel = truncated_copy(kernel, run_dir)
    argv = [MKESP, "-o", image, "--efi", loader_path(build), "--print-cfg",
            "--cmdline", cmdline]
    if fault == ESP_BAD_CFG:
        cfg = os.path.join(run_dir, "bad.cfg")
        with open(cfg, "w") as f:
            f.write(BAD_CFG)
        argv += ["--cfg", cfg]
    for path, mod_cmdline in mods:
        argv += ["--module", path, mod_cmdline]
    text = _run(argv + [kernel], "mkesp")
    with open(os.path.join(run_dir, "tally.cfg"), "w") as f:
        f.write(text)
    if fault == ESP_MISSING_MODULE:
        # tally.cfg still names the last module; the file is gone.
        last = f"{len(mods) - 1}-{os.path.basename(mods[-1][0])}"
        _run(["mdel", "-i", f"{image}@@{ESP_PART_OFFSET}", f"::/mods/{last}"], "mdel")
    return image


def refused(name, doc, fault, message, what):
    """A scenario whose image the loader refuses with @message (a regex), then returns."""
    return Scenario(
        name, doc, "qemu", EFI_MACHINE,
        [InOrder([message, FIRMWARE_GOES_ON], f"{what}, then the firmware's next boot option"),
         Count(r"^tally-efi: ", 1, "loader message"),
         NoLine(HANDOVER, "the loader handed over"),
         NoLine(TALLY_STARTED, "Tally started"),
         EndedBy("done")],
        boot=fault, modules=[MOD0, MOD1], timeout=90, stop_when=FIRMWARE_GOES_ON)


def module_line(index, size, cmdline):
    """Tally's line for a module: page-aligned below 4 GiB, @size bytes, @cmdline."""
    return Line(rf'^\[c0\] boot: module {index} at 0x[0-9a-f]{{0,5}}000 size={size} '
                rf'cmdline="{cmdline}"$', f"module {index}")


EFI_SCENARIOS = [
    Scenario(
        "efi-loader", "Tally's UEFI loader (BOOTX64.EFI on a FAT ESP from tools/mkesp) under "
        "OVMF: tally.cfg's command line and two modules with theirs, multiboot2 from "
        f'"{LOADER_NAME}", the RSDP (ACPI 2, XSDT), 2 CPUs online, the no-VMX warning, '
        "exit code 8 as QEMU status 17",
        "qemu", EFI_MACHINE,
        [InOrder([HANDOVER.replace(r"(\d+)", "2"), TALLY_STARTED],
                 "the loader's hand-over line, then Tally"),
         Line(rf'^\[c0\] boot: protocol=multiboot2 loader="{LOADER_NAME}" '
              r'cmdline="exit_when_done loglevel=info"$', "multiboot2 from the EFI loader"),
         module_line(0, 12345, "name=first arg1 arg2"),
         module_line(1, 3 * 4096 + 1, "second #not-a-comment x=1"),
         Count(r"\[c0\] boot: module \d+ ", 2, "module"),
         # The memory map converted from the EFI map: low RAM from 0, OVMF's ACPI NVS
         # ranges kept, and most of the 256 MiB usable (boot services memory included).
         Line(r"^\[c0\] mem: \[0x000000000000-0x[0-9a-f]+\] usable$", "low RAM from 0"),
         Line(r"^\[c0\] mem: \[0x[0-9a-f]+-0x[0-9a-f]+\] acpi-nvs$", "ACPI NVS range"),
         Number(r"\[c0\] mem: ram_kib=\d+ usable_kib=(\d+) ", 240 * 1024, 256 * 1024,
                "usable_kib"),
         Line(r"\[c0\] acpi: rev=2 root=xsdt cpus=2 ", "acpi xsdt cpus=2"),
         smp(2), Line(r"\[c1\] smp: cpu1 online apic_id=\d+", "cpu1 online"),
         BOOT_DONE, Line(NOVMX_WARNING, "no-VMX warning"), NOVMX_EXIT_LINE, QEMU_NOVMX_EXIT],
        boot=ESP_GOOD, cmdline="exit_when_done loglevel=info", modules=[MOD0, MOD1],
        timeout=90),
    refused("efi-missing-module", "tally.cfg names a module the ESP lacks: the loader says "
            "it cannot open it (Not Found) and returns to OVMF, which goes on",
            ESP_MISSING_MODULE, r"^tally-efi: cannot open /mods/1-mod1\.bin: Not Found$",
            "cannot open the module"),
    refused("efi-truncated-kernel", "tally.elf cut to half its size: the loader refuses it as "
            "truncated and returns to OVMF, which goes on",
            ESP_TRUNCATED_KERNEL, r"^tally-efi: (?:/tally\.elf: )?/?tally\.elf: truncated: "
            r"section headers outside the file$",
            "truncated tally.elf"),
    refused("efi-bad-cfg", "tally.cfg line 3 misspells module2: the loader names the line and "
            "the word and returns to OVMF, which goes on",
            ESP_BAD_CFG, r"^tally-efi: tally\.cfg line 3: unknown keyword 'modul2' "
            r"\(expected multiboot2 or module2\)$", "bad config line"),
]
