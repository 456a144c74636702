"""The peer of BagNet's DICOM input (crates/dimorph-bagnet/tests/dicom.rs): pydicom 3.0.2.

Each case is an uncompressed DICOM file that pydicom writes and reads back; its pixels go through
pydicom's own pixel decoding (bits stored, signedness, planar configuration, YBR_FULL to RGB), then
for monochrome its modality rescale (`apply_modality_lut`) and, when the file has a window, its VOI
window (`apply_windowing`: LINEAR, LINEAR_EXACT, SIGMOID of PS3.3 C.11.2.1.2). pydicom leaves the
windowed values in the range of the stored values, [y_min, y_max] (computed below as pydicom does);
dimorph maps that range onto its output samples (0..255 for up to 8 bits stored, 0..65535 above),
so the expected sample is (value - y_min) / (y_max - y_min) * top. Without a window dimorph
stretches the modality values min-max; MONOCHROME1 is inverted (top - sample). Samples are
rounded half up.

Writes dicom_pydicom.json beside this script: per case the file's attributes, its stored values
and the expected samples (grey per pixel, or RGB interleaved). Run: python3 dicom_pydicom.py
"""

import json
import os
import tempfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_modality_lut, apply_windowing
from pydicom.uid import ExplicitVRLittleEndian

CASES = [
    # name, PI, side, bits allocated, bits stored, signed, planar, window (c, w), VOI function,
    # rescale (intercept, slope), stored values (row-major; colour: as stored, planar or not)
    ("mono16_window", "MONOCHROME2", 3, 16, 12, False, None, (2048, 4096), None, None,
     [0, 1000, 2047, 2048, 4095, 3000, 17, 2500, 1]),
    ("mono16_signed_rescale", "MONOCHROME2", 2, 16, 16, True, None, (40, 400), None, (-100, 2),
     [-500, 70, 50, -1]),
    ("mono16_linear_exact", "MONOCHROME2", 2, 16, 16, False, None, (1000, 500), "LINEAR_EXACT", None,
     [700, 900, 1000, 1300]),
    ("mono16_sigmoid", "MONOCHROME2", 2, 16, 16, False, None, (1000, 500), "SIGMOID", None,
     [0, 900, 1000, 1500]),
    ("mono8_window", "MONOCHROME2", 2, 8, 8, False, None, (100, 50), None, None,
     [0, 80, 100, 126]),
    ("mono8_minmax", "MONOCHROME2", 2, 8, 8, False, None, None, None, None,
     [10, 20, 30, 110]),
    ("mono8_monochrome1", "MONOCHROME1", 2, 8, 8, False, None, None, None, None,
     [10, 20, 30, 110]),
    ("mono16_monochrome1_window", "MONOCHROME1", 2, 16, 12, False, None, (2048, 4096), None, None,
     [0, 1000, 2047, 4095]),
    ("mono16_minmax_rescale", "MONOCHROME2", 2, 16, 16, False, None, None, None, (-1024, 1),
     [0, 1024, 3000, 65535]),
    ("rgb8", "RGB", 2, 8, 8, False, 0, None, None, None,
     [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220]),
    ("rgb8_planar", "RGB", 2, 8, 8, False, 1, None, None, None,
     [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220]),
    ("rgb16", "RGB", 2, 16, 16, False, 0, None, None, None,
     [7, 5007, 10007, 15007, 20007, 25007, 30007, 35007, 40007, 45007, 50007, 55007]),
    ("ybr_full", "YBR_FULL", 2, 8, 8, False, 0, None, None, None,
     [128, 128, 128, 100, 150, 90, 0, 128, 128, 255, 128, 128]),
]


def pydicom_range(ds):
    """The output range of pydicom's apply_windowing (its code, without a modality LUT)."""
    if ds.PixelRepresentation == 0:
        y_min, y_max = 0, 2**ds.BitsStored - 1
    else:
        y_min, y_max = -(2 ** (ds.BitsStored - 1)), 2 ** (ds.BitsStored - 1) - 1
    if "RescaleSlope" in ds and "RescaleIntercept" in ds:
        y_min = y_min * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        y_max = y_max * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    return y_min, y_max


def write_and_read(case, path):
    name, pi, side, bits, stored, signed, planar, window, func, rescale, values = case
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = "2.25.1234"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    spp = 1 if pi.startswith("MONO") else 3
    ds.Rows = ds.Columns = side
    ds.SamplesPerPixel = spp
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits, stored, stored - 1
    ds.PixelRepresentation = int(signed)
    ds.PhotometricInterpretation = pi
    if spp == 3:
        ds.PlanarConfiguration = planar
    if window:
        ds.WindowCenter, ds.WindowWidth = window
    if func:
        ds.VOILUTFunction = func
    if rescale:
        ds.RescaleIntercept, ds.RescaleSlope = rescale
    dtype = {(8, False): "<u1", (16, False): "<u2", (16, True): "<i2"}[(bits, signed)]
    ds.PixelData = np.array(values, dtype=dtype).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return pydicom.dcmread(path)


def expected(ds):
    arr = ds.pixel_array  # colour: RGB interleaved (planar and YBR_FULL converted)
    if ds.SamplesPerPixel == 3:
        return [int(v) for v in arr.reshape(-1)]
    top = 255.0 if ds.BitsStored <= 8 else 65535.0
    x = apply_modality_lut(arr, ds).astype("float64")
    if "WindowCenter" in ds:
        y_min, y_max = pydicom_range(ds)
        y = (apply_windowing(x, ds) - y_min) / (y_max - y_min) * top
    else:
        lo, hi = x.min(), x.max()
        y = (x - lo) / (hi - lo) * top if hi > lo else np.zeros_like(x)
    y = np.clip(np.floor(y + 0.5), 0, top)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        y = top - y
    return [int(v) for v in y.reshape(-1)]


def main():
    out = []
    with tempfile.TemporaryDirectory() as d:
        for case in CASES:
            ds = write_and_read(case, os.path.join(d, case[0] + ".dcm"))
            name, pi, side, bits, stored, signed, planar, window, func, rescale, values = case
            out.append({
                "name": name, "pi": pi, "side": side, "bits": bits, "stored": stored,
                "signed": signed, "planar": planar, "window": window, "voi_function": func,
                "rescale": rescale, "values": values, "expected": expected(ds),
            })
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "dicom_pydicom.json"), "w") as f:
        json.dump({"peer": f"pydicom {pydicom.__version__}", "cases": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
