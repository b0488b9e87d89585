// Python binding of seed 001's graphs: engram.ConditionalMemory (SPEC M-06), the conditional
// generator/classifier, and engram.bipartite_memory_graph (M-05).
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <limits>
#include <memory>

#include "engram/models/bipartite_memory.hpp"
#include "engram/models/conditional.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

/// The model and the options it was built with (the C++ class does not expose them). generate()
/// and classify() run without the GIL and mark the model in use (model.use); insert() refuses to
/// change a model in use, whether by another thread or by the call whose relax callback it is in.
struct ConditionalHandle {
  Dual<ConditionalMemory> model;
  ConditionalOptions options;
};

struct PyGenerated {
  py::array images;  ///< (B, D); (D,) for a single label
  py::object relax;  ///< engram.RelaxResult
};

struct PyClassified {
  py::array labels;         ///< (B,) int32
  py::array probabilities;  ///< (B, C); (C,) for a 1-D image
  py::object relax;
};

/// f() with the model marked in use and the GIL released; f must not touch Python objects.
template <class F>
decltype(auto) read_locked(const ConditionalHandle& h, F&& f) {
  const UseCount::Reader in_use(h.model.use, "ConditionalMemory");
  py::gil_scoped_release release;
  return f();
}

/// One class index (any integer, NumPy's included) or a sequence of them.
std::vector<int> labels_of(const py::handle& labels, bool& one) {
  auto index = [](const py::handle& v, const std::string& what) {
    if (!py::hasattr(v, "__index__"))
      throw py::type_error(fmt::format("{}: expected an integer class index, got {}", what,
                                       py::repr(v).cast<std::string>()));
    const auto k = py::int_(v.attr("__index__")()).cast<long long>();
    if (k < std::numeric_limits<int>::min() || k > std::numeric_limits<int>::max())
      throw py::value_error(fmt::format("{}: class index {} is out of range", what, k));
    return static_cast<int>(k);
  };
  one = !py::isinstance<py::sequence>(labels) && !py::isinstance<py::array>(labels);
  if (one) return {index(labels, "labels")};
  std::vector<int> out;
  for (const auto item : py::iter(labels))
    out.push_back(index(item, fmt::format("labels[{}]", out.size())));
  return out;
}

void bind_conditional(py::module_& m) {
  py::class_<ConditionalHandle> cls(m, "ConditionalMemory", R"doc(
The conditional generator/classifier of seed 001 (SPEC M-06): an EnergyGraph of an image x
(identity, D), a label y (softmax, C classes) and memories z (softmax with beta, K memories):
    E = E_x + E_y + E_z + 1/2 [sum_mu zhat_mu sum_i (theta_img_mu,i - xhat_i)^2 - sum_i xhat_i^2]
        - lam sum_mu,k zhat_mu theta_lbl_mu,k yhat_k
Memories are inserted from labelled images (theta_img the image, theta_lbl its one-hot label).
Clamping the label generates an image of that class; clamping the image classifies it.

    cm = engram.ConditionalMemory(784, 10, beta=2.0)
    cm.insert(images, labels)             # images (N, D), labels (N,) in [0, C)
    g = cm.generate([3, 7])               # g.images (2, D), g.relax
    c = cm.classify(images[:5])           # c.labels (5,), c.probabilities (5, C), c.relax)doc");

  py::class_<PyGenerated>(cls, "Generated", "What ConditionalMemory.generate returns.")
      .def_readonly("images", &PyGenerated::images, "(B, D) generated images; (D,) for one label.")
      .def_readonly("relax", &PyGenerated::relax, "The engram.RelaxResult of the dynamics.")
      .def("__repr__", [](const PyGenerated& g) {
        return fmt::format("engram.ConditionalMemory.Generated(images={})",
                           py::str(g.images.attr("shape")).cast<std::string>());
      });
  py::class_<PyClassified>(cls, "Classified", "What ConditionalMemory.classify returns.")
      .def_readonly("labels", &PyClassified::labels, "(B,) int32: argmax yhat per image.")
      .def_readonly("probabilities", &PyClassified::probabilities,
                    "(B, C): yhat at the end of the dynamics; (C,) for a 1-D image.")
      .def_readonly("relax", &PyClassified::relax, "The engram.RelaxResult of the dynamics.")
      .def("__repr__", [](const PyClassified& c) {
        return fmt::format("engram.ConditionalMemory.Classified(labels={})",
                           py::str(py::handle(c.labels)).cast<std::string>());
      });

  static const std::string init_doc =
      std::string(
          "image_size D, num_classes C; beta of the memory layer z; lam the label coupling\n"
          "(None: 1 + 2 max_mu |theta_mu - mean theta|^2, so a clamped label outweighs any\n"
          "image distance); label_logit: a clamped label k is y = label_logit e_k; dtype:\n"
          "float64 unless given. The remaining keywords set the dynamics of generate and\n"
          "classify (defaults dt=0.1, max_steps=5000; each call sets clamped itself):\n\n") +
      kRelaxOptionsDoc;
  cls.def(py::init([](Index image_size, Index num_classes, double beta, std::optional<double> lam,
                      double label_logit, const py::object& dtype, const py::kwargs& kwargs) {
            if (kwargs.contains("clamped"))
              throw py::type_error(
                  "ConditionalMemory: 'clamped' is set by generate (y) and classify (x)");
            ConditionalOptions o;
            o.beta = beta;
            o.lambda = lam;
            o.label_logit = label_logit;
            o.relax = relax_options(kwargs, ConditionalOptions::default_relax());
            auto model = make_dual<ConditionalMemory>(parse_dtype(dtype), [&](auto tag) {
              return ConditionalMemory<typename decltype(tag)::type>(image_size, num_classes, o);
            });
            return ConditionalHandle{std::move(model), std::move(o)};
          }),
          py::arg("image_size"), py::arg("num_classes"), py::kw_only(), py::arg("beta") = 1.0,
          py::arg("lam") = py::none(), py::arg("label_logit") = 10.0, py::arg("dtype") = py::none(),
          init_doc.c_str())
      .def_property_readonly(
          "dtype", [](const ConditionalHandle& h) { return numpy_dtype(h.model.dtype()); })
      .def_property_readonly(
          "image_size",
          [](const ConditionalHandle& h) {
            return h.model.visit([](const auto& c) { return c.image_size(); });
          },
          "D.")
      .def_property_readonly(
          "num_classes",
          [](const ConditionalHandle& h) {
            return h.model.visit([](const auto& c) { return c.num_classes(); });
          },
          "C.")
      .def_property_readonly(
          "size",
          [](const ConditionalHandle& h) {
            return read_locked(
                h, [&] { return h.model.visit([](const auto& c) { return c.size(); }); });
          },
          "K, the number of stored memories.")
      .def_property_readonly(
          "beta", [](const ConditionalHandle& h) { return h.options.beta; },
          "Inverse temperature of the memory layer.")
      .def_property_readonly("label_logit",
                             [](const ConditionalHandle& h) { return h.options.label_logit; })
      .def_property_readonly(
          "lam",
          [](const ConditionalHandle& h) -> std::optional<double> {
            const auto [k, lam] = read_locked(h, [&] {
              return h.model.visit(
                  [](const auto& c) { return std::pair<Index, double>(c.size(), c.lambda()); });
            });
            return k > 0 ? std::optional<double>(lam) : h.options.lambda;
          },
          "The label coupling in use (None while an automatic one awaits the first insert).")
      .def_property_readonly(
          "memory_images",
          [](const ConditionalHandle& h) {
            return h.model.visit([&](const auto& c) {
              auto images = read_locked(h, [&] { return c.memory_images(); });
              return to_numpy(std::move(images));
            });
          },
          "(K, D) the stored images, a copy (insert replaces them).")
      .def_property_readonly(
          "memory_labels",
          [](const ConditionalHandle& h) {
            return to_numpy(read_locked(
                h, [&] { return h.model.visit([](const auto& c) { return c.memory_labels(); }); }));
          },
          "(K,) int32, the stored labels.")
      .def(
          "insert",
          [](ConditionalHandle& h, const py::handle& images, const py::handle& labels) {
            bool one = false;
            const std::vector<int> ls = labels_of(labels, one);
            h.model.visit([&](auto& c) {
              using T = scalar_t<decltype(c)>;
              const MatrixArg<T> x(images, "images");
              check_cols(x, c.image_size(), "ConditionalMemory.insert: images");
              const UseCount::Writer changing(h.model.use, "ConditionalMemory.insert");
              py::gil_scoped_release release;
              c.insert(x.map(), ls);
            });
          },
          py::arg("images"), py::arg("labels"),
          "Stores each row of images (N, D) (or one image (D,)) as a memory with its label in\n"
          "[0, C) (labels: a sequence of N ints, or one int).")
      .def(
          "generate",
          [](const ConditionalHandle& h, const py::handle& labels, const py::object& start) {
            bool one = false;
            const std::vector<int> ls = labels_of(labels, one);
            return h.model.visit([&](const auto& c) {
              using T = scalar_t<decltype(c)>;
              std::optional<Mat<T>> x0;
              if (!start.is_none()) {
                const MatrixArg<T> s(start, "start");
                check_cols(s, c.image_size(), "ConditionalMemory.generate: start");
                x0 = s.copy();
              }
              auto g = read_locked(h, [&] { return c.generate(ls, x0); });
              return py::cast(
                  PyGenerated{to_numpy(std::move(g.images), one), to_python(std::move(g.relax))});
            });
          },
          py::arg("labels"), py::arg("start") = py::none(),
          "Clamps y at each label (a sequence of B ints, or one int) and relaxes x and z from\n"
          "`start` (B, D) (default: the mean stored image). Returns a Generated (images, relax).\n"
          "Runs without the GIL.")
      .def(
          "classify",
          [](const ConditionalHandle& h, const py::handle& images) {
            return h.model.visit([&](const auto& c) {
              using T = scalar_t<decltype(c)>;
              const MatrixArg<T> x(images, "images");
              check_cols(x, c.image_size(), "ConditionalMemory.classify: images");
              auto r = read_locked(h, [&] { return c.classify(x.map()); });
              return py::cast(PyClassified{to_numpy(r.labels),
                                           to_numpy(std::move(r.probabilities), x.was_vector()),
                                           to_python(std::move(r.relax))});
            });
          },
          py::arg("images"),
          "Clamps x at each image (B, D) or (D,) and relaxes y and z from 0; the class is\n"
          "argmax yhat. Returns a Classified (labels, probabilities, relax). Runs without the GIL.")
      .def(
          "save",
          [](const ConditionalHandle& h, const std::filesystem::path& path,
             std::optional<std::vector<std::string>> class_names,
             std::optional<std::vector<Index>> image_shape) {
            h.model.visit([&](const auto& c) {
              auto file = read_locked(h, [&] { return c.to_file(); });
              if (class_names) file.config["class_names"] = *class_names;
              if (image_shape) file.config["image_shape"] = *image_shape;
              py::gil_scoped_release release;
              save_model_file(path, file);
            });
          },
          py::arg("path"), py::kw_only(), py::arg("class_names") = py::none(),
          py::arg("image_shape") = py::none(),
          "Writes the memory as a model file of kind conditional_memory (safetensors, "
          "atomically);\n"
          "class_names and image_shape, when given, are recorded for `engram serve --model`.")
      .def_static(
          "load",
          [](const std::filesystem::path& path) {
            const Dtype d = model_file_dtype(path);
            return without_gil([&] {
              auto model = make_dual<ConditionalMemory>(d, [&](auto tag) {
                return load_model<ConditionalMemory<typename decltype(tag)::type>>(path);
              });
              ConditionalOptions o = model.visit([](const auto& c) { return c.options(); });
              return ConditionalHandle{std::move(model), std::move(o)};
            });
          },
          py::arg("path"), "Reads a model file written by save (engram.Error if unreadable).")
      .def(
          "graph",
          [](const ConditionalHandle& h) {
            return h.model.visit([&](const auto& c) {
              auto g = read_locked(h, [&] { return c.graph(); });
              return py::cast(Dual<EnergyGraph>{std::move(g)});
            });
          },
          "A copy of the energy graph over the stored memories (layers 'x', 'y', 'z'; synapses\n"
          "'image', 'label'). ValueError before the first insert.")
      .def("__repr__", [](const ConditionalHandle& h) {
        return h.model.visit([&](const auto& c) {
          const Index k = read_locked(h, [&] { return c.size(); });
          return fmt::format(
              "engram.ConditionalMemory(image_size={}, num_classes={}, memories={}, beta={}, "
              "dtype={})",
              c.image_size(), c.num_classes(), k, h.options.beta, dtype_name(h.model.dtype()));
        });
      });
}

}  // namespace

void bind_models_conditional(py::module_& m) {
  bind_conditional(m);

  m.def(
      "bipartite_memory_graph",
      [](const py::handle& xi, const LagrangianHandle& memory, const py::object& visible,
         const py::object& dtype) {
        const std::optional<LagrangianHandle> v =
            visible.is_none() ? std::nullopt
                              : std::optional<LagrangianHandle>(visible.cast<LagrangianHandle>());
        return with_dtype(model_dtype(xi, dtype), [&](auto tag) {
          using T = typename decltype(tag)::type;
          const Mat<T> Xi = MatrixArg<T>(xi, "xi", false).copy();
          return py::cast(Dual<EnergyGraph>{
              bipartite_memory_graph<T>(Xi, memory.get<T>(), v ? v->template get<T>() : nullptr)});
        });
      },
      py::arg("xi"), py::arg("memory"), py::arg("visible") = py::none(),
      py::arg("dtype") = py::none(),
      R"doc(The two-layer associative memory of seed 001 (SPEC M-05) as an engram.EnergyGraph:
layers 'v' (D units, `visible`; default Sigmoid(beta=1/(2D))) and 'm' (K units, `memory`), joined
by synapse 'xi' with E_S = -mhat^T Xi vhat, Xi = xi of shape (K, D).
    CHN: engram.bipartite_memory_graph(Xi, engram.Identity())
    DAM: engram.bipartite_memory_graph(Xi, engram.Softmax(beta=1.0)))doc");
}

}  // namespace engram::python
