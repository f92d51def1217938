// Where requests end: today nothing is recorded; metrics and access logs attach here.
#include "gateway/request_end.hpp"

namespace flotilla::gateway {

void finish_request(Worker& /*worker*/, const RequestEnd& /*end*/) {}

}  // namespace flotilla::gateway
