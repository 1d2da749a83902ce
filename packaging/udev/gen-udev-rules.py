#!/usr/bin/env python3
"""Generates 70-kiosk.rules from the device profiles (config/devices/*.toml) at build time.

Every table in a profile that names a USB id is a device; the id may be written as
    usb = "0400:c35a"            or    vid = "0400" / 0x0400, pid = "c35a" / 0xc35a
                                  or    usb_vid = ..., usb_pid = ...
The device's role is its `role` (or `kind`) key, else the nearest enclosing table named after a role
(e.g. [devices.idcard], [[scanner]], [devices.printer.usb]). Roles: idcard, sscard, printer, scanner, camera, other.
Optional per device: `interfaces` (list of "usb", "hidraw", "tty", "input", "video4linux"; default
by role), `libinput_ignore = true` (a keyboard-wedge scanner that the compositor must not treat as a
keyboard; the kiosk reads it through its own evdev/hidraw path).

Each matching node gets GROUP="kiosk", MODE="0660" (system service without a seat session) and
TAG+="uaccess" (the logind seat session of cage); tty nodes also get /dev/kiosk/<role>[-n].
The file sorts before 73-seat-late.rules so uaccess applies. Bad input stops the build with
file and reason.
"""
import argparse
import os
import re
import sys
import tomllib

ROLES = {"idcard", "sscard", "printer", "scanner", "camera", "other"}
INTERFACES = {"usb", "hidraw", "tty", "input", "video4linux"}
DEFAULT_INTERFACES = {
    "idcard": ["usb", "hidraw", "tty"],   # USBIDR bulk (libusb), HID variants, CH340/CDC serial
    "sscard": ["usb"],                    # CCID through libusb/pcscd
    "printer": ["usb", "tty"],            # libusb detaches usblp itself; serial printers
    "scanner": ["hidraw", "tty", "input", "usb"],
    "camera": ["video4linux", "usb"],
    "other": ["usb"],
}
HEX4 = re.compile(r"^[0-9a-f]{4}$")
# vid = 0 and pid = 0 mean "the first device of this kind" (e.g. [sscard] backend = "ccid"): such an
# entry is granted by USB interface class instead of by id; roles without a class get nothing.
ROLE_USB_CLASS = {"sscard": ("0b", "CCID smart-card reader"), "printer": ("07", "printer"),
                  "camera": ("0e", "video")}


class ProfileError(Exception):
    pass


def hex_id(value, what, where):
    if isinstance(value, bool):
        raise ProfileError(f"{where}: {what} must be 4 hex digits or an integer, got {value!r}")
    if isinstance(value, int):
        if not 0 <= value <= 0xFFFF:
            raise ProfileError(f"{where}: {what} {value} is outside 0..0xffff")
        return f"{value:04x}"
    if isinstance(value, str):
        v = value.strip().lower()
        if v.startswith("0x"):
            v = v[2:]
        if HEX4.match(v):
            return v
    raise ProfileError(f"{where}: {what} must be 4 hex digits (e.g. \"0400\"), got {value!r}")


def usb_id(table, where):
    if "usb" in table and isinstance(table["usb"], str):
        parts = table["usb"].split(":")
        if len(parts) != 2:
            raise ProfileError(f"{where}: usb must be \"vvvv:pppp\", got {table['usb']!r}")
        return hex_id(parts[0], "vendor id", where), hex_id(parts[1], "product id", where)
    for vk, pk in (("vid", "pid"), ("usb_vid", "usb_pid"), ("vendor_id", "product_id")):
        if vk in table or pk in table:
            if vk not in table or pk not in table:
                raise ProfileError(f"{where}: {vk} and {pk} must be given together")
            return hex_id(table[vk], vk, where), hex_id(table[pk], pk, where)
    return None


def collect(node, path, source, out):
    """Walks tables and arrays of tables; every table with a USB id is one device."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            collect(item, path + [str(i)], source, out)
        return
    if not isinstance(node, dict):
        return
    where = f"{source}: [{'.'.join(path)}]" if path else source
    ident = usb_id(node, where)
    if ident:
        role = node.get("role", node.get("kind"))
        if role is None:  # nearest enclosing table named after a role: [devices.idcard.usb]
            role = next((p for p in reversed(path) if p.lower() in ROLES), None)
            if role is None:
                raise ProfileError(f"{where}: cannot tell the device role; add role = "
                                   f"\"{'|'.join(sorted(ROLES))}\"")
        if not isinstance(role, str) or role.lower() not in ROLES:
            raise ProfileError(f"{where}: unknown role {role!r} (expected one of {', '.join(sorted(ROLES))})")
        role = role.lower()
        ifaces = node.get("interfaces", DEFAULT_INTERFACES[role])
        if not isinstance(ifaces, list) or not all(isinstance(x, str) and x in INTERFACES for x in ifaces):
            raise ProfileError(f"{where}: interfaces must be a list drawn from {sorted(INTERFACES)}")
        ignore = node.get("libinput_ignore", False)
        if not isinstance(ignore, bool):
            raise ProfileError(f"{where}: libinput_ignore must be true or false")
        name = node.get("name", node.get("model", ""))
        out.append({"vid": ident[0], "pid": ident[1], "role": role, "interfaces": ifaces,
                    "libinput_ignore": ignore, "name": str(name), "source": source})
    for key, child in node.items():
        if isinstance(child, (dict, list)):
            collect(child, path + [key], source, out)


def load_profiles(files):
    devices = []
    for f in files:
        try:
            with open(f, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as e:
            raise ProfileError(f"{f}: invalid TOML: {e}") from None
        except OSError as e:
            raise ProfileError(f"{f}: {e.strerror}") from None
        collect(data, [], os.path.basename(f), devices)
    return devices


def safe_comment(text):
    return re.sub(r"[^\w .:/()+-]", "?", text)[:80]


def render(devices, group):
    attrs = f'GROUP="{group}", MODE="0660", TAG+="uaccess"'
    lines = [
        "# Generated by packaging/udev/gen-udev-rules.py from config/devices/*.toml. Do not edit:",
        "# override with a file of the same name in /etc/udev/rules.d/.",
        f"# Grants the '{group}' group (the kiosk service user) the card readers, printer, scanner and camera.",
        "# USB printers: the kiosk's printer driver detaches usblp itself (libusb_detach_kernel_driver).",
        "",
        'ACTION=="remove", GOTO="kiosk_end"',
        "",
        "# Any USB printer-class device (bInterfaceClass 07): receipt printers vary by hall.",
        f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", ENV{{ID_USB_INTERFACES}}=="*:0701??:*", {attrs}',
        "",
    ]
    seen = set()
    counters = {}
    wildcard_classes = sorted({ROLE_USB_CLASS[d["role"]] for d in devices
                               if d["vid"] == "0000" and d["pid"] == "0000" and d["role"] in ROLE_USB_CLASS})
    for cls, what in wildcard_classes:
        if cls == "07":
            continue  # always granted above
        lines.append(f"# Any USB {what} (bInterfaceClass {cls}): a profile asks for the first one found.")
        lines.append(f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", ENV{{ID_USB_INTERFACES}}=="*:{cls}????:*", {attrs}')
        lines.append("")
    for d in sorted(devices, key=lambda x: (x["role"], x["vid"], x["pid"])):
        if d["vid"] == "0000" and d["pid"] == "0000":
            continue
        key = (d["vid"], d["pid"], d["role"])
        if key in seen:
            continue
        seen.add(key)
        n = counters.get(d["role"], 0)
        counters[d["role"]] = n + 1
        link = d["role"] if n == 0 else f"{d['role']}-{n}"
        match = f'ATTRS{{idVendor}}=="{d["vid"]}", ATTRS{{idProduct}}=="{d["pid"]}"'
        title = f"# {d['role']} {d['vid']}:{d['pid']}"
        if d["name"]:
            title += f" {safe_comment(d['name'])}"
        lines.append(title + f" ({safe_comment(d['source'])})")
        for iface in d["interfaces"]:
            if iface == "usb":
                lines.append(f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", ATTR{{idVendor}}=="{d["vid"]}", '
                             f'ATTR{{idProduct}}=="{d["pid"]}", {attrs}')
            elif iface == "hidraw":
                lines.append(f'SUBSYSTEM=="hidraw", KERNEL=="hidraw*", {match}, {attrs}')
            elif iface == "tty":
                lines.append(f'SUBSYSTEM=="tty", KERNEL=="ttyUSB*|ttyACM*", {match}, {attrs}, SYMLINK+="kiosk/{link}"')
            elif iface == "input":
                extra = ', ENV{LIBINPUT_IGNORE_DEVICE}="1"' if d["libinput_ignore"] else ""
                lines.append(f'SUBSYSTEM=="input", KERNEL=="event*", {match}, {attrs}{extra}')
            elif iface == "video4linux":
                lines.append(f'SUBSYSTEM=="video4linux", KERNEL=="video*", {match}, {attrs}')
        lines.append("")
    lines.append('LABEL="kiosk_end"')
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", "-o", required=True)
    ap.add_argument("--group", default="kiosk")
    ap.add_argument("profiles", nargs="*", help="device profile TOML files (or directories)")
    args = ap.parse_args()
    files = []
    for p in args.profiles:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".toml"))
        else:
            files.append(p)
    try:
        devices = load_profiles(files)
    except ProfileError as e:
        print(f"gen-udev-rules: error: {e}", file=sys.stderr)
        return 1
    text = render(devices, args.group)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, args.output)
    print(f"gen-udev-rules: {len(devices)} device(s) from {len(files)} profile(s) -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
