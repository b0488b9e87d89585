// Python binding of model files, graph files and safetensors (SPEC M-42): engram.ModelFile,
// save/load_model_file, save/load_graph, read/write_safetensors. IDX, PNG and CSV are in
// io_formats.cpp.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <map>
#include <string>

#include "bindings.hpp"
#include "buffers.hpp"
#include "engram/io/graph_file.hpp"
#include "engram/io/model_file.hpp"
#include "engram/io/safetensors.hpp"

namespace engram::python {

namespace {

namespace fs = std::filesystem;
using GraphHandle = Dual<EnergyGraph>;

/// A model file as Python holds it: the config as a dict and the tensors as arrays, both plain
/// Python objects the caller may edit; they are checked and converted when the file is saved.
struct PyModelFile {
  std::string kind;
  py::dict config;
  py::dict tensors;
  Dtype dtype = Dtype::float64;
};

// JSON crosses the boundary as text: json.dumps on the way in, json.loads on the way out.
nlohmann::json json_of(const py::handle& config) {
  if (!py::isinstance<py::dict>(config))
    throw py::value_error(fmt::format("config: expected a dict, got {}",
                                      py::str(py::type::handle_of(config)).cast<std::string>()));
  const auto text = py::module_::import("json")
                        .attr("dumps")(config, py::arg("allow_nan") = false)
                        .cast<std::string>();
  return nlohmann::json::parse(text);
}

py::dict dict_of(const nlohmann::json& config) {
  return py::module_::import("json").attr("loads")(config.dump()).cast<py::dict>();
}

// None: float32 when every tensor is a float32 array, float64 otherwise (as models choose).
Dtype tensors_dtype(const py::dict& tensors, const py::object& dtype) {
  if (!dtype.is_none()) return parse_dtype(dtype);
  if (tensors.empty()) return Dtype::float64;
  for (const auto& item : tensors)
    if (dtype_of_array(item.second) != Dtype::float32) return Dtype::float64;
  return Dtype::float32;
}

PyModelFile make_model_file(std::string kind, const py::object& config, const py::object& tensors,
                            const py::object& dtype) {
  PyModelFile f;
  f.kind = std::move(kind);
  if (!config.is_none()) {
    json_of(config);  // fail now rather than at save time
    f.config = config.cast<py::dict>();
  }
  if (!tensors.is_none()) {
    if (!py::isinstance<py::dict>(tensors))
      throw py::value_error("tensors: expected a dict of name -> array");
    f.tensors = tensors.cast<py::dict>();
  }
  f.dtype = tensors_dtype(f.tensors, dtype);
  return f;
}

std::string tensor_name(const py::handle& key) {
  if (!py::isinstance<py::str>(key))
    throw py::value_error(
        fmt::format("tensors: names must be strings, got {}", py::repr(key).cast<std::string>()));
  return key.cast<std::string>();
}

template <class T>
ModelFile<T> to_cpp(const PyModelFile& f) {
  ModelFile<T> out;
  out.kind = f.kind;
  out.config = json_of(f.config);
  for (const auto& item : f.tensors) {
    const std::string name = tensor_name(item.first);
    out.tensors.emplace(
        name, MatrixArg<T>(item.second, fmt::format("tensors['{}']", name), true, false).copy());
  }
  return out;
}

template <class T>
PyModelFile to_python(ModelFile<T>&& f) {
  PyModelFile out;
  out.kind = std::move(f.kind);
  out.config = dict_of(f.config);
  for (auto& [name, m] : f.tensors) out.tensors[py::str(name)] = to_numpy(std::move(m));
  out.dtype = dtype_of<T>();
  return out;
}

// The precision a file records in its "scalar" metadata (float64 when it records none).
Dtype recorded_dtype(const fs::path& path) {
  const SafetensorsHeader header = read_safetensors_header(path);
  const auto it = header.metadata.find("scalar");
  return it != header.metadata.end() && it->second == "float32" ? Dtype::float32 : Dtype::float64;
}

Dtype dtype_or_recorded(const py::object& dtype, const fs::path& path) {
  if (!dtype.is_none()) return parse_dtype(dtype);
  py::gil_scoped_release release;
  return recorded_dtype(path);
}

void save(const fs::path& path, const PyModelFile& f) {
  with_dtype(f.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const ModelFile<T> file = to_cpp<T>(f);
    py::gil_scoped_release release;
    save_model_file(path, file);
  });
}

// safetensors dtype names and the NumPy dtypes that hold them. BF16 and the 8-bit floats have no
// NumPy type: their raw bits come back as unsigned integers of the same width.
struct DtypeName {
  const char* safetensors;
  const char* numpy;
};
constexpr DtypeName kDtypes[] = {
    {"BOOL", "bool"}, {"U8", "u1"},   {"I8", "i1"},    {"I16", "<i2"},    {"U16", "<u2"},
    {"F16", "<f2"},   {"I32", "<i4"}, {"U32", "<u4"},  {"F32", "<f4"},    {"I64", "<i8"},
    {"U64", "<u8"},   {"F64", "<f8"}, {"BF16", "<u2"}, {"F8_E5M2", "u1"}, {"F8_E4M3", "u1"},
};

py::dtype numpy_dtype_of(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.safetensors) return py::dtype(d.numpy);
  throw Error(fmt::format("safetensors dtype {} has no NumPy equivalent", name));
}

std::string safetensors_dtype_of(const py::dtype& d, const std::string& what) {
  const char kind = d.kind();
  const auto size = d.itemsize();
  if (kind == 'b') return "BOOL";
  if (kind == 'f' && (size == 2 || size == 4 || size == 8)) return fmt::format("F{}", 8 * size);
  if ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8))
    return fmt::format("{}{}", kind == 'i' ? 'I' : 'U', 8 * size);
  throw py::value_error(fmt::format(
      "{}: dtype {} has no safetensors equivalent (use bool, (u)int8..64 or float16/32/64)", what,
      d.attr("name").cast<std::string>()));
}

// An array, or a (dtype name, array) pair whose raw elements are stored under that name.
SafetensorsTensor tensor_of(const py::handle& value, const std::string& what) {
  std::string dtype;
  py::handle data = value;
  if (py::isinstance<py::tuple>(value) && py::len(value) == 2 &&
      py::isinstance<py::str>(value[py::int_(0)])) {
    dtype = value[py::int_(0)].cast<std::string>();
    data = value[py::int_(1)];
  }
  const py::array a = py::array::ensure(data);
  if (!a) throw py::value_error(fmt::format("{}: expected an array", what));
  if (a.dtype().kind() == 'O') safetensors_dtype_of(a.dtype(), what);  // raises the ValueError
  if (dtype.empty()) {
    dtype = safetensors_dtype_of(a.dtype(), what);
  } else if (safetensors_dtype_size(dtype) != static_cast<std::size_t>(a.itemsize())) {
    throw py::value_error(fmt::format("{}: {} needs {}-byte elements, the array has {}-byte {}",
                                      what, dtype, safetensors_dtype_size(dtype), a.itemsize(),
                                      a.dtype().attr("name").cast<std::string>()));
  }
  SafetensorsTensor t;
  t.dtype = std::move(dtype);
  for (py::ssize_t k = 0; k < a.ndim(); ++k) t.shape.push_back(a.shape(k));
  t.data = bytes_of<std::byte>(a, '<');
  return t;
}

}  // namespace

void bind_io(py::module_& m) {
  py::class_<PyModelFile>(m, "ModelFile", R"doc(
The contents of an engram model file (SPEC M-42): a safetensors file whose header metadata holds
{"format": "engram", "kind": ..., "scalar": "float32"|"float64", "config": <JSON>}.

    kind     (str) what the file describes: "energy_graph", "modern_hopfield", ...
    config   (dict) the structure as JSON: hyperparameters, layers, Lagrangians, synapses
    tensors  (dict str -> ndarray) the weights; 2-D (a 1-D array is stored as 1 x D and reads
             back 2-D); dtype float32 or float64
    dtype    the precision the tensors are stored in (numpy.float32 or numpy.float64)

config and tensors are plain dicts: edit them in place; they are checked when saved.)doc")
      .def(py::init(&make_model_file), py::arg("kind"), py::arg("config") = py::none(),
           py::arg("tensors") = py::none(), py::arg("dtype") = py::none(),
           "dtype None: float32 when every tensor is a float32 array, else float64.")
      .def_readwrite("kind", &PyModelFile::kind)
      .def_property(
          "config", [](const PyModelFile& f) { return f.config; },
          [](PyModelFile& f, const py::object& c) {
            json_of(c);
            f.config = c.cast<py::dict>();
          })
      .def_property(
          "tensors", [](const PyModelFile& f) { return f.tensors; },
          [](PyModelFile& f, const py::dict& t) { f.tensors = t; })
      .def_property(
          "dtype", [](const PyModelFile& f) { return numpy_dtype(f.dtype); },
          [](PyModelFile& f, const py::object& d) { f.dtype = parse_dtype(d); })
      .def("__repr__", [](const PyModelFile& f) {
        std::vector<std::string> tensors;
        for (const auto& [name, value] : f.tensors)
          tensors.push_back(fmt::format("'{}': {}", py::str(name).cast<std::string>(),
                                        py::str(value.attr("shape")).cast<std::string>()));
        return fmt::format("engram.ModelFile(kind='{}', dtype={}, tensors={{{}}})", f.kind,
                           dtype_name(f.dtype), fmt::join(tensors, ", "));
      });

  m.def("save_model_file", &save, py::arg("path"), py::arg("model_file"),
        R"doc(Writes a ModelFile to `path` (str or os.PathLike) as safetensors, atomically
(a temporary file beside it, then a rename). Each tensor is stored as F32 or F64 per the
file's dtype with shape [rows, cols]; safetensors.safe_open and torch read it as is.
Raises ValueError for an empty kind, a config json.dumps cannot write, a tensor name "" or a tensor
that is not 1-D or 2-D; engram.Error when the file cannot be written.)doc");
  m.def(
      "save_model_file",
      [](const fs::path& path, std::string kind, const py::object& config,
         const py::object& tensors, const py::object& dtype) {
        save(path, make_model_file(std::move(kind), config, tensors, dtype));
      },
      py::arg("path"), py::arg("kind"), py::arg("config") = py::none(),
      py::arg("tensors") = py::none(), py::arg("dtype") = py::none(),
      "The same from its parts: save_model_file(path, kind, config, tensors, dtype=None).");
  m.def(
      "load_model_file",
      [](const fs::path& path, const py::object& dtype) {
        return with_dtype(dtype_or_recorded(dtype, path), [&](auto tag) {
          using T = typename decltype(tag)::type;
          ModelFile<T> file;
          {
            py::gil_scoped_release release;
            file = load_model_file<T>(path);
          }
          return to_python(std::move(file));
        });
      },
      py::arg("path"), py::arg("dtype") = py::none(),
      R"doc(Reads a model file written by save_model_file (or engram's C++ and CLI) as a ModelFile.
dtype None: the precision the file records ("scalar" metadata); otherwise the tensors are converted
(a float64 value beyond float32's range is an error, not Inf). Raises engram.Error naming the path
for a missing, truncated or garbled file or one that is not an engram model file.)doc");
  m.def(
      "model_file_kind",
      [](const fs::path& path) {
        py::gil_scoped_release release;
        return model_file_kind(path);
      },
      py::arg("path"), "The kind recorded in a model file, read from its header alone.");

  m.def(
      "save_graph",
      [](const fs::path& path, const GraphHandle& graph) {
        const UseCount::Reader in_use(graph.use, "save_graph");
        graph.visit([&](const auto& g) {
          py::gil_scoped_release release;
          save_graph(path, g);
        });
      },
      py::arg("path"), py::arg("graph"),
      R"doc(Writes an EnergyGraph to `path` as a model file of kind "energy_graph": its layers and
synapses as JSON config, each synapse parameter as tensor "synapse.param" (e.g. "xi.W"), in the
graph's dtype. Written atomically.)doc");
  m.def(
      "load_graph",
      [](const fs::path& path, const py::object& dtype) {
        return make_dual<EnergyGraph>(dtype_or_recorded(dtype, path), [&](auto tag) {
          using T = typename decltype(tag)::type;
          py::gil_scoped_release release;
          return load_graph<T>(path);
        });
      },
      py::arg("path"), py::arg("dtype") = py::none(),
      R"doc(Rebuilds the EnergyGraph saved at `path`: same layers, synapses and parameters, hence the
same energies and dynamics (bit for bit in the saved dtype). dtype None: the saved dtype. Raises
engram.Error naming the path for an unreadable file or one that does not describe a valid graph.)doc");
  m.def(
      "graph_to_file",
      [](const GraphHandle& graph) {
        return graph.visit([](const auto& g) { return to_python(graph_to_file(g)); });
      },
      py::arg("graph"), "An EnergyGraph as the ModelFile save_graph writes (kind 'energy_graph').");
  m.def(
      "graph_from_file",
      [](const PyModelFile& f) {
        return make_dual<EnergyGraph>(f.dtype, [&](auto tag) {
          using T = typename decltype(tag)::type;
          return graph_from_file(to_cpp<T>(f));
        });
      },
      py::arg("model_file"),
      "The EnergyGraph a ModelFile of kind 'energy_graph' describes, in the file's dtype.");

  m.def(
      "read_safetensors",
      [](const fs::path& path) {
        SafetensorsFile file;
        {
          py::gil_scoped_release release;
          file = read_safetensors(path);
        }
        py::dict tensors;
        for (auto& [name, t] : file.tensors) {
          std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
          tensors[py::str(name)] =
              adopt(std::move(t.data), numpy_dtype_of(t.dtype), std::move(shape));
        }
        return py::make_tuple(tensors, py::cast(file.metadata));
      },
      py::arg("path"),
      R"doc(Reads any safetensors file: returns (tensors, metadata), tensors a dict name -> ndarray
of the stored shape, metadata the header's "__metadata__" (dict str -> str, empty when absent).
Dtypes: BOOL bool, U8/I8/U16/I16/U32/I32/U64/I64 the same integers, F16 float16, F32 float32,
F64 float64. BF16, F8_E5M2 and F8_E4M3 have no NumPy type: their raw bits come back as uint16 /
uint8 (for BF16, float32 values are (bits.astype(uint32) << 16).view(float32)). The arrays own
the file's bytes (no copy). Raises engram.Error naming the path for a missing, truncated or
garbled file.)doc");
  m.def(
      "write_safetensors",
      [](const fs::path& path, const py::dict& tensors, const py::object& metadata) {
        SafetensorsFile file;
        for (const auto& [key, value] : tensors) {
          const std::string name = tensor_name(key);
          file.tensors.emplace(name, tensor_of(value, fmt::format("tensors['{}']", name)));
        }
        if (!metadata.is_none()) {
          for (const auto& [key, value] : metadata.cast<py::dict>()) {
            if (!py::isinstance<py::str>(key) || !py::isinstance<py::str>(value))
              throw py::value_error(fmt::format(
                  "metadata: safetensors metadata maps str to str, got {}: {}",
                  py::repr(key).cast<std::string>(), py::repr(value).cast<std::string>()));
            file.metadata.emplace(key.cast<std::string>(), value.cast<std::string>());
          }
        }
        py::gil_scoped_release release;
        write_safetensors(path, file);
      },
      py::arg("path"), py::arg("tensors"), py::arg("metadata") = py::none(),
      R"doc(Writes a safetensors file atomically: `tensors` a dict name -> ndarray (any shape; bool,
(u)int8..64, float16/32/64, stored little-endian in C order), or name -> (dtype name, array) to
store an array's raw elements under another safetensors dtype of the same width, e.g.
("BF16", uint16 bits) as read_safetensors returns them; `metadata` a dict str -> str.)doc");

  bind_io_formats(m);
}

}  // namespace engram::python
