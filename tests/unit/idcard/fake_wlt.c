/* Test double for a vendor WLT decoder: same entry point as libwlt.so, fills a gradient. */
int unpack(char* src, char* dst, int flag) {
  if (flag != 311 || (unsigned char)src[0] == 0xFF) return -1;
  for (int i = 0; i < 102 * 126 * 3; ++i) dst[i] = (char)((i + (unsigned char)src[i % 1024]) & 0xFF);
  return 1;
}
