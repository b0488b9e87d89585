// Python binding of the live demo (SPEC M-07): engram.principal_components, engram.LiveConditional
// (seed 001's memory stepped a frame at a time) and engram.DemoServer (what `engram serve` runs).
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "engram/demo/server.hpp"
#include "models_common.hpp"

namespace engram::python {

namespace {

/// A LiveFrame as a dict: step, segment, mode, label, image (D,), probabilities (C,), energy, pca.
py::dict frame_dict(LiveFrame&& f) {
  py::dict d;
  d["step"] = f.step;
  d["segment"] = f.segment;
  d["mode"] = to_string(f.mode);
  d["label"] = f.label;
  d["image"] = to_numpy(std::move(f.image));
  d["probabilities"] = to_numpy(std::move(f.probabilities));
  d["energy"] = f.energy;
  d["pca"] = f.plane ? py::object(py::make_tuple((*f.plane)[0], (*f.plane)[1])) : py::none();
  return d;
}

py::dict settings_dict(const LiveSettings& s) {
  py::dict d;
  d["beta"] = s.beta;
  d["lam"] = s.lambda;
  d["dt"] = s.dt;
  d["steps_per_frame"] = s.steps_per_frame;
  return d;
}

/// A ConditionalMemory<double> of `images` (K, D) with `labels` (K,) in [0, C).
ConditionalMemory<double> memory_of(const py::handle& images, const py::handle& labels,
                                    Index num_classes, double beta, std::optional<double> lam,
                                    double label_logit) {
  const MatrixArg<double> x(images, "images", false);
  const std::vector<int> ls = py::cast<std::vector<int>>(labels);
  ConditionalOptions o;
  o.beta = beta;
  o.lambda = lam;
  o.label_logit = label_logit;
  Index C = num_classes;
  if (C <= 0)
    for (const int k : ls) C = std::max<Index>(C, k + 1);
  ConditionalMemory<double> memory(x.cols(), std::max<Index>(C, 1), o);
  memory.insert(x.map(), ls);
  return memory;
}

void bind_pca(py::module_& m) {
  py::class_<PrincipalComponents>(m, "PrincipalComponents",
                                  "The leading principal components of a set of states.")
      .def_property_readonly(
          "mean", [](const PrincipalComponents& p) { return to_numpy(Eigen::VectorXd(p.mean)); })
      .def_property_readonly(
          "components",
          [](const PrincipalComponents& p) { return to_numpy(Eigen::MatrixXd(p.components)); },
          "(k, D) orthonormal rows, by decreasing variance.")
      .def_property_readonly(
          "variance",
          [](const PrincipalComponents& p) { return to_numpy(Eigen::VectorXd(p.variance)); },
          "(k,) the variance along each component (divisor N - 1).")
      .def_readonly("total_variance", &PrincipalComponents::total_variance)
      .def(
          "project",
          [](const PrincipalComponents& p, const py::handle& states) {
            const MatrixArg<double> x(states, "states");
            return to_numpy(p.project<double>(x.map()));
          },
          py::arg("states"), "Coordinates of each row of states (B, D) along the components.");
  m.def(
      "principal_components",
      [](const py::handle& data, Index k) {
        const MatrixArg<double> x(data, "data", false);
        return without_gil([&] { return principal_components<double>(x.map(), k); });
      },
      py::arg("data"), py::arg("k") = 2,
      "The first k principal components of the rows of data (N, D): the eigenvectors of the\n"
      "covariance, each signed so its largest entry is positive.");
}

void bind_live(py::module_& m) {
  py::class_<LiveConditional>(m, "LiveConditional", R"doc(
Seed 001's conditional memory (SPEC M-06) run a few Euler steps at a time, as the demo runs it:
generate mode clamps the label and lets the image descend; classify mode clamps an image and lets
the label distribution evolve. Within one segment the energy never rises.

    live = engram.LiveConditional(images, labels, beta=1.0)   # images (K, D), labels (K,)
    live.generate(3)
    for _ in range(100):
        frame = live.advance()     # dict: step, segment, mode, label, image, probabilities,
                                   #       energy, pca (the image in the memories' PCA plane))doc")
      .def(py::init([](const py::handle& images, const py::handle& labels, Index num_classes,
                       double beta, std::optional<double> lam, double label_logit, double dt,
                       int steps_per_frame, int label, bool pca) {
             ConditionalMemory<double> memory =
                 memory_of(images, labels, num_classes, beta, lam, label_logit);
             std::shared_ptr<const PrincipalComponents> plane;
             if (pca)
               plane = std::make_shared<const PrincipalComponents>(
                   principal_components<double>(memory.memory_images(), 2));
             const LiveSettings s{beta, memory.lambda(), dt, steps_per_frame};
             return LiveConditional(std::make_shared<const ConditionalVariants>(std::move(memory)),
                                    s, label, plane);
           }),
           py::arg("images"), py::arg("labels"), py::kw_only(), py::arg("num_classes") = 0,
           py::arg("beta") = 1.0, py::arg("lam") = py::none(), py::arg("label_logit") = 10.0,
           py::arg("dt") = 0.1, py::arg("steps_per_frame") = 2, py::arg("label") = 0,
           py::arg("pca") = true,
           "images (K, D) and labels (K,) are stored (num_classes: 1 + the largest label unless\n"
           "given); lam None picks the automatic coupling; pca: frames carry the image's place in\n"
           "the memories' first two principal components.")
      .def("generate", &LiveConditional::generate, py::arg("label"),
           "Clamps the label; the image goes on from where it is (a new segment).")
      .def(
          "classify",
          [](LiveConditional& live, const py::handle& image) {
            const MatrixArg<double> x(image, "image");
            if (x.rows() != 1) throw py::value_error("classify: image must be one image (D,)");
            live.classify(x.map().row(0).transpose());
          },
          py::arg("image"), "Clamps the image (D,); the label distribution restarts uniform.")
      .def(
          "set",
          [](LiveConditional& live, std::optional<double> beta, std::optional<double> lam,
             std::optional<double> dt, std::optional<int> steps_per_frame) {
            LiveSettings s = live.settings();
            s.beta = beta.value_or(s.beta);
            s.lambda = lam.value_or(s.lambda);
            s.dt = dt.value_or(s.dt);
            s.steps_per_frame = steps_per_frame.value_or(s.steps_per_frame);
            live.set_settings(s);
          },
          py::kw_only(), py::arg("beta") = py::none(), py::arg("lam") = py::none(),
          py::arg("dt") = py::none(), py::arg("steps_per_frame") = py::none(),
          "Changes settings live; a new beta or lam starts a new segment.")
      .def("reset", &LiveConditional::reset,
           "Back to the mean stored image, generate mode, current label.")
      .def(
          "advance",
          [](LiveConditional& live) {
            return frame_dict(without_gil([&] { return live.advance(); }));
          },
          "steps_per_frame Euler steps; returns the frame (a dict).")
      .def(
          "frame", [](const LiveConditional& live) { return frame_dict(live.frame()); },
          "The current frame, without stepping.")
      .def_property_readonly("mode", [](const LiveConditional& l) { return to_string(l.mode()); })
      .def_property_readonly("label", &LiveConditional::label)
      .def_property_readonly("settings",
                             [](const LiveConditional& l) { return settings_dict(l.settings()); });
}

void bind_server(py::module_& m) {
  py::class_<DemoServer>(m, "DemoServer", R"doc(
The live demo server that `engram serve` runs (docs/demo.md): the page and its JSON and
server-sent-events API, one LiveConditional per browser session.

    with engram.DemoServer(dataset="mnist", memories=1000, port=0) as server:
        print(server.url)          # open it in a browser
        ...
Or serve your own memory: engram.DemoServer(images=X, labels=y, image_shape=(28, 28)).)doc")
      .def(py::init([](const std::string& dataset, Index memories,
                       std::optional<std::filesystem::path> model, const py::object& images,
                       const py::object& labels, std::optional<std::vector<Index>> image_shape,
                       std::optional<std::vector<std::string>> class_names, double beta,
                       std::optional<double> lam, Index test_images, const std::string& host,
                       int port, int max_sessions, double idle_timeout, double fps,
                       double label_period, std::optional<std::filesystem::path> web) {
             DemoServerOptions o;
             o.host = host;
             o.port = port;
             o.max_sessions = max_sessions;
             o.idle_timeout = idle_timeout;
             o.fps = fps;
             o.label_period = label_period;
             if (web) o.web_root = *web;
             o.check();
             if (images.is_none() != labels.is_none())
               throw py::value_error("DemoServer: give images and labels together");
             if (!images.is_none()) {
               ConditionalMemory<double> memory = memory_of(
                   images, labels, class_names ? static_cast<Index>(class_names->size()) : 0, beta,
                   lam, 10.0);
               Shape shape =
                   image_shape ? Shape(image_shape->begin(), image_shape->end()) : Shape{};
               return DemoServer(make_demo_data(std::move(memory), "python", std::move(shape),
                                                class_names.value_or(std::vector<std::string>{})),
                                 o);
             }
             DemoDataOptions d;
             d.dataset = dataset;
             d.memories = memories;
             d.beta = beta;
             d.test_images = test_images;
             if (model) d.model = *model;
             return DemoServer(without_gil([&] { return load_demo_data(d); }), o);
           }),
           py::kw_only(), py::arg("dataset") = "mnist", py::arg("memories") = 1000,
           py::arg("model") = py::none(), py::arg("images") = py::none(),
           py::arg("labels") = py::none(), py::arg("image_shape") = py::none(),
           py::arg("class_names") = py::none(), py::arg("beta") = 1.0, py::arg("lam") = py::none(),
           py::arg("test_images") = 10000, py::arg("host") = "127.0.0.1", py::arg("port") = 8765,
           py::arg("max_sessions") = 128, py::arg("idle_timeout") = 60.0, py::arg("fps") = 25.0,
           py::arg("label_period") = 6.0, py::arg("web") = py::none(),
           "The memories: the first `memories` training images of `dataset`, or a\n"
           "conditional_memory model file, or images (K, D) with labels (K,). port 0 picks a\n"
           "free port. Nothing listens until start().")
      .def(
          "start", [](DemoServer& s) { return without_gil([&] { return s.start(); }); },
          "Starts serving on background threads; returns the port.")
      .def(
          "stop", [](DemoServer& s) { without_gil([&] { s.stop(); }); },
          "Ends every stream and stops (idempotent).")
      .def_property_readonly("port", &DemoServer::port)
      .def_property_readonly("url", &DemoServer::url)
      .def_property_readonly("running", &DemoServer::running)
      .def_property_readonly("sessions", &DemoServer::sessions, "Sessions now open.")
      .def(
          "__enter__",
          [](DemoServer& s) -> DemoServer& {
            without_gil([&] { s.start(); });
            return s;
          },
          py::return_value_policy::reference)
      .def("__exit__", [](DemoServer& s, const py::args&) { without_gil([&] { s.stop(); }); });
}

}  // namespace

void bind_demo(py::module_& m) {
  bind_pca(m);
  bind_live(m);
  bind_server(m);
}

}  // namespace engram::python
