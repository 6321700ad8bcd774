package profiles

// openNonblock is nothing on Windows: there is no O_NONBLOCK, and opening
// a file there does not wait for a writer.
const openNonblock = 0
