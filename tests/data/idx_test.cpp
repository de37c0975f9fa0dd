#include "data/idx.hpp"

#include <catch2/catch.hpp>

#include "error_message.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("idx: plain and gzip files give the same images and labels") {
  for (const char* suffix : {"", ".gz"}) {
    const Dataset data = load_idx(fixture(std::string("idx/images.idx") + suffix), fixture(std::string("idx/labels.idx") + suffix));
    validate(data);
    CHECK(data.size() == 3);
    CHECK(data.dim == 4);  // 2 x 2 images
    CHECK(data.num_classes == 3);
    CHECK(data.classes == std::vector<std::int32_t>{0, 2, 1});
    CHECK(data.row(2)[0] == 255.0f);
    CHECK(data.row(1)[3] == 40.0f);
  }
}

TEST_CASE("idx: malformed files name file and byte offset") {
  CHECK(data_error([] { read_idx(fixture("idx/bad_magic.idx")); }) ==
        fixture("idx/bad_magic.idx") + ": byte 0: bad IDX magic 01 02 08 01 (expected 00 00, a type, dimensions)");
  // 16 header bytes + 12 pixels expected; the file stops after 7 of them.
  CHECK(data_error([] { read_idx(fixture("idx/truncated.idx")); }) ==
        fixture("idx/truncated.idx") + ": byte 23: truncated data: expected 5 more bytes");
  CHECK(data_error([] { load_idx(fixture("idx/images.idx"), fixture("idx/labels_short.idx")); }) ==
        fixture("idx/labels_short.idx") + ": 2 labels for 3 images in " + fixture("idx/images.idx"));
  CHECK(data_error([] { read_idx(fixture("idx/none.idx")); }) == fixture("idx/none.idx") + ": cannot open");
}
