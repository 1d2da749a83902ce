# Read by cpack for every generator (CPACK_PROJECT_CONFIG_FILE): packaging-time overrides.
# KIOSK_PACKAGE_VERSION=0.1.0+ci42 cpack -G DEB   → packages with that Debian version.
if(NOT "$ENV{KIOSK_PACKAGE_VERSION}" STREQUAL "")
  set(CPACK_PACKAGE_VERSION "$ENV{KIOSK_PACKAGE_VERSION}")
  set(CPACK_DEBIAN_PACKAGE_VERSION "$ENV{KIOSK_PACKAGE_VERSION}")
endif()
