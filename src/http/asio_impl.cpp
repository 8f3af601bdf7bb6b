// The compiled bodies of Asio, Asio SSL and Beast (their separate-compilation
// mode, BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION), built
// once here so that no other translation unit pays for them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
